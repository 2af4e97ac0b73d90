"""Managed virtualenvs for user code.

`<data home>/venvs/default` serves projects without requirements.txt;
`<data home>/venvs/<sha256(requirements.txt)>` serves the others. A venv is
usable only once its `.complete` marker exists (written last), so an interrupted
build is redone. `AK_WORKER_PYTHON` names an interpreter used as-is.
The runner needs nothing installed: it is stdlib-only and brings the SDK along.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from akcli.errors import AkError
from akcli.paths import Paths, ensure_dir

MARKER = ".complete"
MIN_VERSION = (3, 11)
Progress = Callable[[str], None]


def venv_dir(paths: Paths, requirements: str | None) -> Path:
    if not requirements or not requirements.strip():
        return paths.venvs_dir / "default"
    return paths.venvs_dir / hashlib.sha256(requirements.encode()).hexdigest()


_checked: dict[tuple[str, float], None] = {}


def check_python(python: str) -> None:
    """Python >= 3.11 is required for user code, as upstream.

    Asks the interpreter once per (path, mtime): sessions must not pay a
    subprocess each.
    """
    path = Path(python)
    if not path.is_file():
        raise AkError(f'"{python}": not a file')
    key = (str(path), path.stat().st_mtime)
    if key in _checked:
        return
    try:
        out = subprocess.run(
            [python, "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError as e:
        raise AkError(f'"{python}": {e.strerror}') from None
    text = (out.stdout or out.stderr).strip()
    try:
        major, minor = (int(x) for x in text.split()[1].split(".")[:2])
    except (IndexError, ValueError):
        raise AkError(f'"{python}": cannot read its version ("{text}")') from None
    if (major, minor) < MIN_VERSION:
        raise AkError(f'python >= 3.11 required, found "{text}"')
    _checked[key] = None


def python_for(
    paths: Paths, requirements: str | None, progress: Progress | None = None
) -> str:
    """The interpreter that runs a project's code, building its venv if needed."""
    worker = os.environ.get("AK_WORKER_PYTHON")
    if worker:
        check_python(worker)
        return worker
    target = venv_dir(paths, requirements)
    python = target / "bin" / "python"
    if (target / MARKER).exists():
        return str(python)
    ensure_dir(paths.venvs_dir)
    with open(paths.venvs_dir / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder per venv; others wait
        if not (target / MARKER).exists():
            _build(target, requirements, progress or (lambda _: None))
    return str(python)


def _build(target: Path, requirements: str | None, progress: Progress) -> None:
    shutil.rmtree(target, ignore_errors=True)
    progress(f"creating virtualenv {target.name}")
    from virtualenv import cli_run

    seed = ["--no-seed"] if not requirements else ["--no-setuptools", "--no-wheel"]
    try:
        cli_run([str(target), "--python", sys.executable, "--quiet", *seed])
    except (Exception, SystemExit) as e:  # noqa: BLE001 - virtualenv raises broadly
        shutil.rmtree(target, ignore_errors=True)
        raise AkError(f"creating virtualenv {target}: {e}") from None
    if requirements:
        progress("installing requirements.txt")
        req_file = target / "requirements.txt"
        req_file.write_text(requirements)
        proc = subprocess.run(
            [
                str(target / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
                str(req_file),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
            shutil.rmtree(target, ignore_errors=True)
            raise AkError(f"installing requirements.txt failed:\n{tail}")
    (target / MARKER).write_text("ok\n")
