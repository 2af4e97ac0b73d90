"""connections on SQLite."""

from __future__ import annotations

from akcli.store.db import Database
from akcli.store.interface.connections import ConnectionRow

_COLS = "connection_id, project_id, name, integration, created_at, updated_at"


class SqliteConnections:
    def __init__(self, db: Database) -> None:
        self._db = db

    def list_for_project(self, project_id: str) -> list[ConnectionRow]:
        rows = self._db.all(
            f"SELECT {_COLS} FROM connections WHERE project_id = ? ORDER BY name",
            project_id,
        )
        return [ConnectionRow(*r) for r in rows]

    def of_integration(self, integration: str) -> list[ConnectionRow]:
        rows = self._db.all(
            f"SELECT {_COLS} FROM connections WHERE integration = ? ORDER BY created_at",
            integration,
        )
        return [ConnectionRow(*r) for r in rows]

    def by_name(self, project_id: str, name: str) -> ConnectionRow | None:
        r = self._db.one(
            f"SELECT {_COLS} FROM connections WHERE project_id = ? AND name = ?",
            project_id,
            name,
        )
        return ConnectionRow(*r) if r is not None else None
