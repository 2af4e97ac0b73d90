"""Building one managed venv: virtualenv, then pip with its output parsed into steps.

A build reports `Step`s (phase, done, total) to a callback and to a small JSON
status file next to the venv, so that another process waiting for the same
build (e.g. `ak deploy` while `ak up --mode dev` builds the default venv) can
show the same progress.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from akcli.errors import AkError


@dataclass
class Step:
    """Where a build is: `phase` with `done` of `total` (None = unknown) items."""

    phase: str
    done: int = 0
    total: int | None = None
    detail: str = ""
    venv: str = ""  # "default" or a project venv's name


Progress = Callable[[Step], None]
# Phases, in order. "resolving" counts the distributions pip collected so far
# (detail: how many came from pip's cache); "installing" counts installed ones.
PHASES = ("virtualenv", "resolving", "installing")

# The pip subprocesses running now: `ak up` stops them when it exits.
running: set[subprocess.Popen[str]] = set()


def create(target: Path, seed_pip: bool) -> None:
    """A fresh virtualenv at `target` for this interpreter (pip seeded if asked)."""
    from virtualenv import cli_run

    seed = ["--no-setuptools", "--no-wheel"] if seed_pip else ["--no-seed"]
    try:
        cli_run([str(target), "--python", sys.executable, "--quiet", *seed])
    except (Exception, SystemExit) as e:  # noqa: BLE001 - virtualenv raises broadly
        raise AkError(f"creating virtualenv {target}: {e}") from None


def site_packages(venv: Path) -> Path:
    v = sys.version_info
    return venv / "lib" / f"python{v.major}.{v.minor}" / "site-packages"


class StatusFile:
    """The JSON status of a running build, for processes waiting on it."""

    def __init__(self, path: Path, progress: Progress, venv: str) -> None:
        self.path = path
        self.progress = progress
        self.venv = venv
        self._last = 0.0

    def __call__(self, step: Step) -> None:
        step.venv = self.venv
        self.progress(step)
        now = time.monotonic()
        if now - self._last < 0.2 and step.phase == PHASES[-1]:
            return
        self._last = now
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(step)))
        os.replace(tmp, self.path)

    @staticmethod
    def read(path: Path) -> Step | None:
        try:
            data = json.loads(path.read_text())
            return Step(**data)
        except (OSError, ValueError, TypeError):
            return None


# "Collecting <req>" (from an index) or "Processing <file>" (local wheels);
# pip may collect a name more than once while it backtracks.
_COLLECTING = re.compile(
    r"^Collecting ([A-Za-z0-9][A-Za-z0-9._-]*)|^Processing \S*?([^/\s]+?)-"
)
_CACHED = re.compile(r"^\s+Using cached ")
_INSTALLING = re.compile(r"^Installing collected packages: (.*)$")


def _dist_infos(site: Path) -> int:
    try:
        return sum(1 for p in site.iterdir() if p.name.endswith(".dist-info"))
    except OSError:
        return 0


def pip_install(venv: Path, req_file: Path, what: str, progress: Progress) -> None:
    """`pip install -r req_file` in `venv`, reporting resolving/installing counts.

    pip's own cache is used as usual (downloads are reused across builds).
    """
    python = venv / "bin" / "python"
    site = site_packages(venv)
    cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    cmd += ["--no-input", "--progress-bar", "off", "-r", str(req_file)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PIP_NO_COLOR": "1"}
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    running.add(proc)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    tail: list[str] = []
    names: set[str] = set()
    cached = 0
    total: int | None = None
    base = collected = 0
    progress(Step("resolving", 0, None, what))
    try:
        while True:
            try:
                line = lines.get(timeout=0.3)
            except queue.Empty:
                line = ""
            if line is None:
                break
            if line:
                tail = [*tail[-19:], line]
            if m := _COLLECTING.match(line):
                name = m.group(1) or m.group(2)
                names.add(re.sub(r"[-_.]+", "-", name).lower())
                collected = len(names)
                progress(Step("resolving", collected, None, f"{cached} cached"))
            elif _CACHED.match(line):
                cached += 1
            elif m := _INSTALLING.match(line):
                total = len([n for n in m.group(1).split(",") if n.strip()])
                base = _dist_infos(site)
                progress(Step("resolving", collected, collected, f"{cached} cached"))
            if total is not None:
                done = min(max(_dist_infos(site) - base, 0), total)
                progress(Step("installing", done, total))
        rc = proc.wait()
    finally:
        running.discard(proc)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if rc != 0:
        errors = [t for t in tail if t.startswith("ERROR")] or tail[-8:]
        raise AkError(f"installing {what} failed:\n" + "\n".join(errors[-8:]))
    if total is None:  # everything was already satisfied
        progress(Step("resolving", collected, collected, f"{cached} cached"))
        total = 0
    progress(Step("installing", total, total))


def stop_all() -> None:
    """Stop the pip runs of this process (at server shutdown)."""
    for proc in list(running):
        proc.terminate()


def remove(target: Path) -> None:
    """Remove a venv directory (a symlinked one: only the link)."""
    if target.is_symlink():
        target.unlink()
    else:
        shutil.rmtree(target, ignore_errors=True)
