"""values on SQLite."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

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

    def keys(self, project_id: str) -> list[str]:
        rows = self._db.all(
            "SELECT key FROM store_values WHERE project_id = ? ORDER BY key", project_id
        )
        return [r["key"] for r in rows]

    def get(self, project_id: str, key: str) -> StoreValueRow | None:
        r = self._db.one(
            f"SELECT {STOREVALUE_COLS} FROM store_values WHERE project_id = ? AND key = ?",
            project_id,
            key,
        )
        return storevalue_row(r) if r is not None else None

    def put(self, project_id: str, key: str, value: Any) -> None:
        self._db.exec(
            "INSERT INTO store_values (project_id, key, value) VALUES (?, ?, ?)"
            " ON CONFLICT (project_id, key) DO UPDATE SET value = excluded.value",
            project_id,
            key,
            json.dumps(value),
        )

    def delete(self, project_id: str, key: str) -> None:
        self._db.exec(
            "DELETE FROM store_values WHERE project_id = ? AND key = ?", project_id, key
        )

    def set_published(self, project_id: str, key: str, published: bool) -> None:
        self._db.exec(
            "UPDATE store_values SET published = ? WHERE project_id = ? AND key = ?",
            int(published),
            project_id,
            key,
        )
