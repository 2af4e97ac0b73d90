"""outcomes on SQLite."""

from __future__ import annotations

import json
import sqlite3

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
