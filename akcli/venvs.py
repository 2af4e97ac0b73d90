"""Managed virtualenvs for user code.

`<data home>/venvs/default` holds the default set (upstream's SDK `all` extra
minus what kittehub does not use: `akcli/data/default-requirements.txt`, or
config `pythonrt.default_requirements`) and serves projects without
requirements.txt. `<data home>/venvs/<sha256(requirements.txt)>` serves the others: a small venv
with their own lines, layered over the default one by a `.pth` file (its lines
win: its site-packages comes first). A venv is usable only once its
`.complete` marker exists (written last, naming the default set it was built
for), so an interrupted build is redone. Every venv can import ak's own
`autokitteh` SDK (a `.pth` puts a directory holding only it first on
sys.path); an `autokitteh` line in requirements.txt is dropped, never
installed over it. `AK_WORKER_PYTHON` names an interpreter used as-is.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from akcli.errors import AkError
from akcli.paths import Paths, ensure_dir
from akcli.venv_build import Progress, StatusFile, Step
from akcli.venv_build import create as create_venv

if TYPE_CHECKING:
    from akcli.config import Config

MARKER = ".complete"
MIN_VERSION = (3, 11)
DEFAULTS_FILE = Path(__file__).parent / "data" / "default-requirements.txt"
SDK_PTH = "_ak_sdk.pth"
LAYER_PTH = "_ak_default.pth"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def default_requirements(config: Config | None = None) -> list[str]:
    """The default venv's requirement lines: config, else the bundled file.

    `pythonrt.default_requirements` is a list (YAML/JSON, e.g. `[]` for a
    minimal venv) or one string of whitespace-separated requirements.
    """
    value = config.get("pythonrt.default_requirements") if config else ""
    if not value.strip():
        return _lines(DEFAULTS_FILE.read_text())
    import yaml

    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        parsed = value
    if isinstance(parsed, list):
        return [str(x).strip() for x in parsed if str(x).strip()]
    if isinstance(parsed, str):
        return parsed.split()
    raise AkError(
        f'config "pythonrt.default_requirements": expected a list, got "{value}"'
    )


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and ln[0] != "#"]


def project_lines(requirements: str | None) -> list[str]:
    """requirements.txt lines to install, without our own SDK (never shadowed)."""
    out = []
    for line in _lines(requirements or ""):
        m = _NAME.match(line)
        if m and re.sub(r"[-_.]+", "-", m.group(1)).lower() == "autokitteh":
            continue
        out.append(line)
    return out


def _key(lines: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def venv_dir(paths: Paths, requirements: str | None) -> Path:
    if not project_lines(requirements):
        return paths.venvs_dir / "default"
    assert requirements is not None
    return paths.venvs_dir / hashlib.sha256(requirements.encode()).hexdigest()


def is_complete(target: Path, defaults: Sequence[str]) -> bool:
    """Built, for this default set (a project venv layers over it)."""
    try:
        return (target / MARKER).read_text().split()[-1] == _key(defaults)[:16]
    except (OSError, IndexError):
        return False


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
    paths: Paths,
    requirements: str | None,
    progress: Progress | None = None,
    defaults: Sequence[str] | None = None,
) -> str:
    """The interpreter that runs a project's code, building its venv(s) if needed.

    A project venv needs the default one first. Builds of one venv are
    serialized by a lock file; a process waiting for another's build gets that
    build's steps (from its status file) through `progress`.
    """
    worker = os.environ.get("AK_WORKER_PYTHON")
    if worker:
        check_python(worker)
        return worker
    defaults = list(default_requirements() if defaults is None else defaults)
    report = progress or (lambda _: None)
    target = venv_dir(paths, requirements)
    if target.name != "default":
        python_for(paths, None, report, defaults)
    python = target / "bin" / "python"
    if is_complete(target, defaults):
        link_sdk(target)
        return str(python)
    ensure_dir(paths.venvs_dir)
    status = paths.venvs_dir / f".{target.name}.status"
    with open(paths.venvs_dir / f".{target.name}.lock", "w") as lock:
        _lock(lock.fileno(), status, report)  # one builder per venv; others wait
        if not is_complete(target, defaults):
            own = project_lines(requirements)
            report_to = StatusFile(status, report, target.name)
            build(paths, target, own or defaults, bool(own), report_to)
            (target / MARKER).write_text(f"ok {_key(defaults)[:16]}\n")
        status.unlink(missing_ok=True)
    link_sdk(target)
    return str(python)


def _lock(fd: int, status: Path, progress: Progress) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    while True:  # another process builds it: show its steps while waiting
        step = StatusFile.read(status)
        if step is not None:
            progress(step)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            time.sleep(0.25)


def build(
    paths: Paths, target: Path, lines: list[str], layered: bool, progress: Progress
) -> None:
    from akcli import venv_build

    venv_build.remove(target)
    progress(Step("virtualenv", 0, 1, target.name))
    try:
        default_site = venv_build.site_packages(paths.venvs_dir / "default")
        # A layered venv uses the default venv's pip when it has one (smaller).
        own_pip = not layered or not (default_site / "pip").is_dir()
        create_venv(target, seed_pip=bool(lines) and own_pip)
        site = venv_build.site_packages(target)
        if layered:  # the default venv's packages, after this venv's own
            (site / LAYER_PTH).write_text(
                f"import site; site.addsitedir({str(default_site)!r})\n"
            )
        link_sdk(target)
        progress(Step("virtualenv", 1, 1, target.name))
        if lines:
            req_file = target / "requirements.txt"
            req_file.write_text("\n".join(lines) + "\n")
            what = "requirements.txt" if layered else "the default packages"
            venv_build.pip_install(target, req_file, what, progress)
    except BaseException:
        venv_build.remove(target)
        raise


_linked: set[Path] = set()


def link_sdk(venv: Path) -> None:
    """`<venv>/ak-sdk/autokitteh` -> this ak's SDK, first on the venv's sys.path.

    Checked once per process and venv (ak may have moved since the build).
    """
    if venv in _linked:
        return
    from akcli.engine.runner_pool import runner_package_dir
    from akcli.venv_build import site_packages

    sdk_dir = venv / "ak-sdk"
    want = os.path.join(runner_package_dir(), "autokitteh")
    link = sdk_dir / "autokitteh"
    if not (link.is_symlink() and os.readlink(link) == want):
        sdk_dir.mkdir(exist_ok=True)
        tmp = sdk_dir / f".autokitteh.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(want)
        os.replace(tmp, link)
    pth = site_packages(venv) / SDK_PTH
    line = "import os, sys; sys.path.insert(0, os.path.join(sys.prefix, 'ak-sdk'))\n"
    if not pth.is_file() or pth.read_text() != line:
        pth.write_text(line)
    _linked.add(venv)


def prebuild_default(paths: Paths, config: Config) -> None:
    """Start building the default venv in the background (`ak up`, not in test mode).

    The first `ak deploy` then waits less (it shows this build's progress).
    The server log gets one line per phase.
    """
    if os.environ.get("AK_WORKER_PYTHON"):
        return
    defaults = default_requirements(config)
    if is_complete(paths.venvs_dir / "default", defaults):
        return
    import sys
    import threading

    from akcli.progress import PlainSteps

    def work() -> None:
        steps = PlainSteps("building the default Python environment (background)")
        try:
            python_for(paths, None, steps, defaults)
            steps.close()
        except AkError as e:
            print(f"default venv: {e}", file=sys.stderr)

    threading.Thread(target=work, name="default-venv", daemon=True).start()
