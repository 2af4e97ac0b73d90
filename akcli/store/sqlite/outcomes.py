"""outcomes on SQLite."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from akcli.store.db import Database
from akcli.store.interface.outcomes import OutcomeRow


def outcome_row(r: sqlite3.Row) -> OutcomeRow:
    return OutcomeRow(
        id=r["id"],
        event_id=r["event_id"],
        session_id=r["session_id"],
        value=json.loads(r["value"]),
        created_at=r["created_at"],
    )


OUTCOME_COLS = "id, event_id, session_id, value, created_at"


class SqliteOutcomes:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, event_id: str, session_id: str, value: Any, t: str) -> None:
        self._db.exec(
            "INSERT INTO outcomes (event_id, session_id, value, created_at) VALUES (?, ?, ?, ?)",
            event_id,
            session_id,
            json.dumps(value),
            t,
        )

    def after(self, event_id: str, after_id: int) -> list[OutcomeRow]:
        rows = self._db.all(
            f"SELECT {OUTCOME_COLS} FROM outcomes WHERE event_id = ? AND id > ?"
            " ORDER BY id",
            event_id,
            after_id,
        )
        return [outcome_row(r) for r in rows]
