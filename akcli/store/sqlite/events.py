"""events on SQLite."""

from __future__ import annotations

import json
import sqlite3

from akcli.store.db import Database
from akcli.store.interface.events import EventRow


def event_row(r: sqlite3.Row) -> EventRow:
    return EventRow(
        seq=r["seq"],
        event_id=r["event_id"],
        destination_id=r["destination_id"],
        project_id=r["project_id"],
        event_type=r["event_type"],
        data=json.loads(r["data"]),
        memo=json.loads(r["memo"]),
        created_at=r["created_at"],
        dispatched=bool(r["dispatched"]),
    )


EVENT_COLS = "seq, event_id, destination_id, project_id, event_type, data, memo, created_at, dispatched"


class SqliteEvents:
    def __init__(self, db: Database) -> None:
        self._db = db
