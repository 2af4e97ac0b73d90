"""The one SQLite connection of a server: pragmas, migrations, transactions.

The server's event loop owns this connection (one writer by construction); all
writes go through `tx()`, which takes the write lock up front (BEGIN IMMEDIATE).
WAL with synchronous=NORMAL: a commit survives a kill -9 of the process.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from akcli.paths import ensure_dir

_second: tuple[int, str] = (0, "")


def now() -> str:
    """RFC 3339 UTC timestamp with microseconds (sorts as text).

    On the activity hot path: formats the seconds once per second, not per call.
    """
    global _second
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
        self.migrate()
        if path is not None:
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

    def close(self) -> None:
        self.conn.close()
