"""values on SQLite."""

from __future__ import annotations

import json
import sqlite3

from akcli.store.db import Database
from akcli.store.interface.values import StoreValueRow


def storevalue_row(r: sqlite3.Row) -> StoreValueRow:
    return StoreValueRow(
        project_id=r["project_id"],
        key=r["key"],
        value=json.loads(r["value"]),
        published=bool(r["published"]),
    )


STOREVALUE_COLS = "project_id, key, value, published"


class SqliteValues:
    def __init__(self, db: Database) -> None:
        self._db = db

    def published(self, project_id: str, key: str) -> StoreValueRow | None:
        r = self._db.one(
            f"SELECT {STOREVALUE_COLS} FROM store_values"
            " WHERE project_id = ? AND key = ? AND published = 1",
            project_id,
            key,
        )
        return None if r is None else storevalue_row(r)

    def delete_for_project(self, project_id: str) -> None:
        self._db.exec("DELETE FROM store_values WHERE project_id = ?", project_id)
