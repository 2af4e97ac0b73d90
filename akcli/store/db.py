"""The one SQLite connection of a server: pragmas, migrations, transactions.

The server's event loop owns this connection (one writer by construction); all
writes go through `tx()`, which takes the write lock up front (BEGIN IMMEDIATE).
WAL with synchronous=NORMAL: a commit survives a kill -9 of the process.
WAL checkpoints (the fsyncs) run on a thread of their own, see `_Checkpointer`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from akcli.paths import ensure_dir

_second: tuple[int, str] = (0, "")

# Write transactions between two background checkpoints.
_CHECKPOINT_EVERY = 50
# The connection's own (automatic, blocking) checkpoint: only a backstop. A
# checkpoint running beside a busy writer never catches up with it, and the WAL
# only starts over once it did, so under a steady write load the writer still
# completes one now and then (with little left to copy). Default: 1000 pages.
_AUTOCHECKPOINT_PAGES = 4000


def now(t: float | None = None) -> str:
    """RFC 3339 UTC timestamp with microseconds (sorts as text), of unix time
    ``t`` (default: the current time).

    On the activity hot path: formats the seconds once per second, not per call.
    """
    global _second
    if t is None:
        t = time.time()
    sec = int(t)
    if sec != _second[0]:
        _second = (sec, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)))
    return f"{_second[1]}.{int((t - sec) * 1_000_000):06d}Z"


def _migrations() -> list[tuple[int, str]]:
    root = resources.files("akcli.store") / "migrations"
    out = []
    for entry in root.iterdir():
        if entry.name.endswith(".sql"):
            out.append((int(entry.name.split("_", 1)[0]), entry.read_text()))
    return sorted(out)


class _Checkpointer:
    """PASSIVE WAL checkpoints on a connection and thread of their own.

    SQLite checkpoints inside the COMMIT that crosses ``wal_autocheckpoint``, on
    the event loop: two fsyncs, 10-25 ms on a VM disk every ~200 durable
    activities, ~90 us per activity on average and a stall for everything else.
    A PASSIVE checkpoint never blocks the writer, and the sqlite3 module releases
    the GIL while it runs.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(
            target=self._run, name="ak-db-checkpoint", daemon=True
        )
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(10)

    def _run(self) -> None:
        conn = sqlite3.connect(str(self._path), isolation_level=None)
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                # On an error the next one (or the writer's backstop) catches up.
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()


class Database:
    def __init__(self, path: Path | None) -> None:
        """`path=None` is test mode's in-memory database."""
        if path is not None:
            ensure_dir(path.parent)
            if not path.exists():
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        self.path = path
        self.conn = sqlite3.connect(
            str(path) if path else ":memory:",
            isolation_level=None,
            check_same_thread=False,
        )
        self.conn.row_factory = sqlite3.Row
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self._depth = 0
        self._commits = 0
        self._checkpointer: _Checkpointer | None = None
        self.migrate()
        if path is not None:
            self.conn.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT_PAGES}")
            for suffix in ("-wal", "-shm"):
                side = Path(f"{path}{suffix}")
                if side.exists():
                    os.chmod(side, 0o600)

    def migrate(self) -> int:
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        for number, sql in _migrations():
            if number <= version:
                continue
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in sql.split(";\n"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version={number}")
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            version = number
        return version

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self.conn.execute("COMMIT")
        self._commits += 1
        if self._commits % _CHECKPOINT_EVERY == 0 and self.path is not None:
            if self._checkpointer is None:
                self._checkpointer = _Checkpointer(self.path)
            self._checkpointer.poke()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside tx(): a part that is undone alone if it raises."""
        if not self._depth:
            raise RuntimeError("savepoint() outside tx()")
        self.conn.execute("SAVEPOINT part")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO part")
            self.conn.execute("RELEASE part")
            raise
        self.conn.execute("RELEASE part")

    def one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, args).fetchone()
        return row

    def all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        return self.conn.execute(sql, args).fetchall()

    def exec(self, sql: str, *args: Any) -> sqlite3.Cursor:
        return self.conn.execute(sql, args)

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement over many parameter rows (executemany)."""
        self.conn.executemany(sql, rows)

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        self.conn.close()
