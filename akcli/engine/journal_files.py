"""Where the runners' journal files live, and whether they are used.

``pythonrt.journal``: ``auto`` (the default) is ``file`` with the built-in
engine on SQLite, else ``ack``. ``file``: each durable run gets a journal file
(runner/journal_file.py) that the runner commits each activity's result to
before the workflow goes on; the server stores them in the database in
batches, and stores what is left in the file when the runner ends or before
the session resumes after a crash. ``ack``: the runner waits for the server's
commit of each result (PostgreSQL with several workers: another machine may
resume the session and would not see this machine's files; ``engine:
temporal``).

The files are in one 0700 directory next to the SQLite file (the same disk,
the same durability), ``<session id>.jnl``, 0600; in-memory databases (test
mode) use the runtime dir.

A pre-forked runner (prefork.py) is isolated before its session is known, so
the server makes it an empty ``idle-<random>.jnl`` when it forks it; the runner
opens it before isolating. When a durable session is handed to that runner the
server renames the file to ``<session id>.jnl`` before the runner can write to
it (the runner's descriptor stays valid), so a crash finds it where a freshly
forked runner's file would be. An idle file never holds a record: those of
runners that die unassigned are removed, and any left by a killed server are
removed at the next start.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from akcli.engine.context import EngineContext
from akcli.errors import AkError
from akcli.paths import private_dir

__all__ = ["MODES", "JournalFiles", "discard", "use_files"]

MODES = ("auto", "file", "ack")
_IDLE = "idle-"  # a pre-forked runner's file; session ids never start so


def discard(path: str | None) -> None:
    """Remove an (idle) journal file, if any."""
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def use_files(srv: EngineContext) -> bool:
    """Whether durable runs journal to files (``pythonrt.journal``)."""
    mode = srv.config.get("pythonrt.journal") or "auto"
    if mode not in MODES:
        raise AkError(
            f'config "pythonrt.journal": invalid value "{mode}" (auto, file, ack)'
        )
    local = (srv.config.get("engine") or "builtin") == "builtin" and getattr(
        srv.db, "dialect", "sqlite"
    ) == "sqlite"
    if mode == "file" and not local:
        raise AkError(
            'config "pythonrt.journal": file needs engine builtin and db.type sqlite'
        )
    return mode != "ack" and local


class JournalFiles:
    """The journal directory of one database."""

    def __init__(self, srv: EngineContext, runtime_dir: Path) -> None:
        db_path = getattr(srv.db, "path", None)
        if isinstance(db_path, Path):
            self.dir = db_path.with_name(db_path.name + ".ak-journal")
        else:
            self.dir = runtime_dir / "journal"
        self._made = False

    def path(self, sid: str) -> str:
        return str(self.dir / f"{sid}.jnl")

    def exists(self, sid: str) -> bool:
        return os.path.exists(self.path(sid))

    def create(self, sid: str) -> str:
        """A new empty file for a run of ``sid`` (the caller stored and removed
        any previous one); its path."""
        self._make_dir()
        path = self.path(sid)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
        os.close(os.open(path, flags, 0o600))
        return path

    def create_idle(self) -> str:
        """A new empty file for a pre-forked runner whose session is not known
        yet; its path."""
        self._make_dir()
        path = str(self.dir / f"{_IDLE}{secrets.token_hex(8)}.jnl")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        os.close(os.open(path, flags, 0o600))
        return path

    def adopt(self, idle_path: str, sid: str) -> str | None:
        """Make a pre-forked runner's idle file the journal of a run of ``sid``
        (the caller stored and removed any previous one; the runner has not
        written to it): its new path, or None if it is gone (that run then
        waits for acks)."""
        try:
            os.rename(idle_path, self.path(sid))
        except OSError:
            return None
        return self.path(sid)

    def remove_idle(self) -> None:
        """Remove the idle files a killed server left (at start, before any
        runner is forked: none of them is in use)."""
        with contextlib.suppress(OSError):
            for name in os.listdir(self.dir):
                if name.startswith(_IDLE) and name.endswith(".jnl"):
                    discard(str(self.dir / name))

    def _make_dir(self) -> None:
        if not self._made:
            private_dir(self.dir, "journal dir")
            self._made = True

    def remove(self, sid: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(sid))
