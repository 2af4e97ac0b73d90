"""session_logs on SQLite."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from akcli.store.db import Database
from akcli.store.interface.logs import LogRow

_MULTI_ROW_MAX = 16  # rows per multi-row INSERT (more: executemany)


@functools.cache
def _insert(n: int) -> str:
    """An INSERT of ``n`` session_logs rows: one statement for the few rows of
    an activity (cheaper than executemany's step per row)."""
    rows = ", ".join(["(?, ?, ?, ?)"] * n)
    return f"INSERT INTO session_logs (session_id, seq, t, record) VALUES {rows}"


class SqliteLogs:
    def __init__(self, db: Database) -> None:
        self._db = db

    def append(self, session_id: str, records: Sequence[dict[str, Any]], t: str) -> int:
        # One numbering scheme: the next seq is MAX(seq) + 1, read inside the
        # write transaction (the write lock is held, so no one else can take it).
        with self._db.tx():
            last = self.last_seq(session_id)
            if records:
                self._db.many(
                    "INSERT INTO session_logs (session_id, seq, t, record)"
                    " VALUES (?, ?, ?, ?)",
                    [
                        (session_id, last + i, t, json.dumps(r))
                        for i, r in enumerate(records, 1)
                    ],
                )
        return last + len(records)

    def last_seq(self, session_id: str) -> int:
        row = self._db.one(
            "SELECT COALESCE(MAX(seq), 0) FROM session_logs WHERE session_id = ?",
            session_id,
        )
        return int(row[0]) if row is not None else 0

    def after(self, session_id: str, after_seq: int = 0) -> list[LogRow]:
        rows = self._db.all(
            "SELECT seq, t, record FROM session_logs"
            " WHERE session_id = ? AND seq > ? ORDER BY seq",
            session_id,
            after_seq,
        )
        return [
            LogRow(session_id, int(r["seq"]), r["t"], json.loads(r["record"]))
            for r in rows
        ]

    def append_encoded(
        self, session_id: str, records: Sequence[tuple[str, str]]
    ) -> int:
        conn = self._db.conn
        if conn.in_transaction:  # the caller's (the activity hot path): join it
            return self._append_encoded(conn, session_id, records)
        with self._db.tx():
            return self._append_encoded(conn, session_id, records)

    @staticmethod
    def _append_encoded(
        conn: sqlite3.Connection, session_id: str, records: Sequence[tuple[str, str]]
    ) -> int:
        # Numbered MAX(seq) + 1 inside the write transaction, like `append`.
        row = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM session_logs WHERE session_id = ?",
            (session_id,),
        ).fetchone()
        last = int(row[0])
        n = len(records)
        if 0 < n <= _MULTI_ROW_MAX:
            args: list[Any] = []
            for i, (t, record) in enumerate(records, last + 1):
                args += (session_id, i, t, record)
            conn.execute(_insert(n), args)
        elif n:
            conn.executemany(
                _insert(1),
                [(session_id, i, t, r) for i, (t, r) in enumerate(records, last + 1)],
            )
        return last + n

    def page(
        self, session_id: str, limit: int, offset: int = 0, newest_first: bool = False
    ) -> list[LogRow]:
        order = "DESC" if newest_first else "ASC"
        rows = self._db.all(
            "SELECT seq, t, record FROM session_logs WHERE session_id = ?"
            f" ORDER BY seq {order} LIMIT ? OFFSET ?",
            session_id,
            limit,
            offset,
        )
        return [
            LogRow(session_id, int(r["seq"]), r["t"], json.loads(r["record"]))
            for r in rows
        ]

    def delete_for_session(self, session_id: str) -> None:
        self._db.exec("DELETE FROM session_logs WHERE session_id = ?", session_id)
