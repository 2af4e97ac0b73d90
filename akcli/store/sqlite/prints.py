"""prints on SQLite."""

from __future__ import annotations

import sqlite3

from akcli.store.db import Database
from akcli.store.interface.prints import PrintRow


def print_row(r: sqlite3.Row) -> PrintRow:
    return PrintRow(
        id=r["id"],
        session_id=r["session_id"],
        key=r["key"],
        t=r["t"],
        text=r["text"],
    )


PRINT_COLS = "id, session_id, key, t, text"


class SqlitePrints:
    def __init__(self, db: Database) -> None:
        self._db = db
