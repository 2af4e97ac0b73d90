"""Sessions' code directories: a private copy of the build per session, the
interpreter its requirements need, the runners' compiled-module cache, and
the clean-up of what a server killed with -9 left behind."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
from pathlib import Path

from akcli.engine.build_files import (
    BuildCache,
    BuildFiles,
    new_session_dir,
    read_build,
    write_session_dir,
)
from akcli.engine.context import EngineContext
from akcli.paths import ensure_dir, private_dir

log = logging.getLogger("ak.sessions")

CODE_CACHE_BYTES = 64 * 1024 * 1024


def code_cache(path: Path) -> str | None:
    """The runners' compiled-module cache: private, emptied once over its size."""
    try:
        ensure_dir(path)
        entries = list(os.scandir(path))
        if sum(e.stat().st_size for e in entries) > CODE_CACHE_BYTES:
            for e in entries:
                with contextlib.suppress(OSError):
                    os.unlink(e.path)
    except OSError as e:  # no cache: sessions compile their modules each time
        log.warning("code cache %s unavailable: %s", path, e)
        return None
    return str(path)


def code_root(runtime_dir: Path) -> str:
    """This server's directory for session code dirs, ``code-<pid>``.

    A server killed with -9 cannot remove its sessions' directories nor its
    sockets (``s<pid>-<n>.sock``, ``z<pid>-<n>.sock``): the next one removes
    every such entry whose process is gone (not a live server's).
    """
    for entry in runtime_dir.iterdir():
        name = entry.name
        if name.startswith("code-"):
            pid = name.removeprefix("code-")
        elif name[:1] in ("s", "z") and name.endswith(".sock"):
            pid = name[1:].partition("-")[0]
        else:
            continue
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()
    return str(private_dir(runtime_dir / f"code-{os.getpid()}", "code dir"))


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, e.g. a server just killed, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc here
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class CodeDirs:
    """Writes and removes the sessions' code directories under ``root``."""

    def __init__(self, srv: EngineContext, runtime_dir: Path) -> None:
        self.srv = srv
        self.builds = BuildCache()
        # requirements.txt text -> the interpreter python_for found for it
        self._pythons: dict[str | None, str] = {}
        self._small: set[str] = set()
        self.code_cache = code_cache(srv.paths.cache_home / "code")
        self.root = code_root(runtime_dir)

    def quick(self, build_id: str) -> tuple[BuildFiles, str] | None:
        """A small cached build and its known interpreter (written on the event
        loop, e.g. into a pre-forked runner's directory), or None."""
        files = self.builds.get(build_id)
        if files is None or not files.small:
            return None
        python = self._pythons.get(files.requirements)
        if python is None or not os.path.exists(python):
            return None
        return files, python

    def fill(self, files: BuildFiles, code_dir: str) -> None:
        """Write a small build into the empty session directory ``code_dir``."""
        write_session_dir(files, None, self.root, into=code_dir)
        self._small.add(code_dir)

    def empty(self, code_dir: str) -> None:
        """Remove what ``code_dir`` holds, keeping the directory itself (an
        idle runner's view of it is a bind mount of this inode)."""
        with os.scandir(code_dir) as entries:
            for e in list(entries):
                if e.is_dir(follow_symlinks=False):
                    shutil.rmtree(e.path)
                else:
                    os.unlink(e.path)

    def new_dir(self) -> str:
        """An empty session directory (a pre-forked runner's, filled later)."""
        return new_session_dir(self.root)

    async def prepare(self, build_id: str) -> tuple[str, str]:
        """A session's private code directory of ``build_id`` and its interpreter.

        A small cached build whose interpreter is known is written right here
        (a few syscalls); anything else is done on a thread.
        """
        quick = self.quick(build_id)
        if quick is not None:
            code_dir = self.new_dir()
            self.fill(quick[0], code_dir)
            return code_dir, quick[1]
        files = self.builds.get(build_id)
        archive: bytes | None = None
        if files is None or files.members is None:
            archive = self.srv.store.builds.archive(build_id)
            if archive is None:
                raise RuntimeError(f"build {build_id or '(none)'} not found")

        def work() -> tuple[str, str]:
            nonlocal files
            if files is None:
                assert archive is not None
                files = read_build(archive)
                self.builds.put(build_id, files)
            from akcli.venvs import default_requirements, python_for

            defaults = default_requirements(self.srv.config)
            python = python_for(self.srv.paths, files.requirements, None, defaults)
            self._pythons[files.requirements] = python
            return write_session_dir(files, archive, self.root), python

        return await asyncio.to_thread(work)

    def discard(self, code_dir: str) -> None:
        """Delete a directory that was never used, at once."""
        self._small.discard(code_dir)
        shutil.rmtree(code_dir, ignore_errors=True)

    def remove(self, code_dir: str) -> None:
        """Delete a session's directory: small ones here, others on a thread."""
        if code_dir in self._small:
            self.discard(code_dir)
        else:
            asyncio.get_running_loop().run_in_executor(
                None, shutil.rmtree, code_dir, True
            )
