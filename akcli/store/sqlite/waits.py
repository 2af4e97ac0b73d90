"""waits on SQLite."""

from __future__ import annotations

import json
import sqlite3

from akcli.store.db import Database
from akcli.store.interface.waits import WaitRow


def wait_row(r: sqlite3.Row) -> WaitRow:
    return WaitRow(
        session_id=r["session_id"],
        seq=r["seq"],
        op=r["op"],
        names=json.loads(r["names"]),
        wake_at=r["wake_at"],
        evicted=bool(r["evicted"]),
        created_at=r["created_at"],
    )


WAIT_COLS = "session_id, seq, op, names, wake_at, evicted, created_at"


class SqliteWaits:
    def __init__(self, db: Database) -> None:
        self._db = db

    def delete_for_session(self, session_id: str) -> None:
        self._db.exec("DELETE FROM session_waits WHERE session_id = ?", session_id)
