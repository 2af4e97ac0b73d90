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

    def get(self, connection_id: str) -> ConnectionRow | None:
        r = self._db.one(
            f"SELECT {_COLS} FROM connections WHERE connection_id = ?", connection_id
        )
        return None if r is None else ConnectionRow(*r)

    def by_name(self, project_id: str, name: str) -> ConnectionRow | None:
        r = self._db.one(
            f"SELECT {_COLS} FROM connections WHERE project_id = ? AND name = ?",
            project_id,
            name,
        )
        return None if r is None else ConnectionRow(*r)

    def create(
        self, connection_id: str, project_id: str, name: str, integration: str, t: str
    ) -> None:
        self._db.exec(
            f"INSERT INTO connections ({_COLS}) VALUES (?, ?, ?, ?, ?, ?)",
            connection_id,
            project_id,
            name,
            integration,
            t,
            t,
        )

    def set_integration(self, connection_id: str, integration: str, t: str) -> None:
        self._db.exec(
            "UPDATE connections SET integration = ?, updated_at = ?"
            " WHERE connection_id = ?",
            integration,
            t,
            connection_id,
        )

    def find(self, project_id: str = "", integration: str = "") -> list[ConnectionRow]:
        where, args = [], []
        if project_id:
            where.append("project_id = ?")
            args.append(project_id)
        if integration:
            where.append("integration = ?")
            args.append(integration)
        sql = f"SELECT {_COLS} FROM connections"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._db.all(sql + " ORDER BY created_at, connection_id", *args)
        return [ConnectionRow(*r) for r in rows]

    def delete(self, connection_id: str) -> None:
        self._db.exec("DELETE FROM connections WHERE connection_id = ?", connection_id)
