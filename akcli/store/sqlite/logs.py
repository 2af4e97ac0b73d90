"""session_logs on SQLite."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from akcli.store.db import Database
from akcli.store.interface.logs import LogRow


class SqliteLogs:
    def __init__(self, db: Database) -> None:
        self._db = db

    def append(self, session_id: str, records: Sequence[dict[str, Any]], t: str) -> int:
        # One numbering scheme: the next seq is MAX(seq) + 1, read inside the
        # write transaction (the write lock is held, so no one else can take it).
        with self._db.tx():
            last = self.last_seq(session_id)
            if records:
                self._db.conn.executemany(
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
