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
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from akcli.engine.context import EngineContext
from akcli.errors import AkError
from akcli.paths import private_dir

__all__ = ["MODES", "JournalFiles", "use_files"]

MODES = ("auto", "file", "ack")


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
        if not self._made:
            private_dir(self.dir, "journal dir")
            self._made = True
        path = self.path(sid)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
        os.close(os.open(path, flags, 0o600))
        return path

    def remove(self, sid: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(sid))
