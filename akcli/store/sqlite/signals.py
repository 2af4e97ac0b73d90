"""signals on SQLite."""

from __future__ import annotations

import json
import sqlite3

from akcli.store.db import Database
from akcli.store.interface.signals import SignalRow


def signal_row(r: sqlite3.Row) -> SignalRow:
    return SignalRow(
        id=r["id"],
        session_id=r["session_id"],
        name=r["name"],
        payload=json.loads(r["payload"]),
        consumed=bool(r["consumed"]),
        created_at=r["created_at"],
    )


SIGNAL_COLS = "id, session_id, name, payload, consumed, created_at"


class SqliteSignals:
    def __init__(self, db: Database) -> None:
        self._db = db
