"""projects on SQLite."""

from __future__ import annotations

import sqlite3

from akcli.store.db import Database
from akcli.store.interface.projects import ProjectRow, ResourceRow


def project_row(r: sqlite3.Row) -> ProjectRow:
    return ProjectRow(
        project_id=r["project_id"],
        name=r["name"],
        display_name=r["display_name"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


PROJECT_COLS = "project_id, name, display_name, created_at, updated_at"


def resource_row(r: sqlite3.Row) -> ResourceRow:
    return ResourceRow(
        project_id=r["project_id"],
        path=r["path"],
        data=r["data"],
    )


RESOURCE_COLS = "project_id, path, data"


class SqliteProjects:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, project_id: str) -> ProjectRow | None:
        r = self._db.one(
            f"SELECT {PROJECT_COLS} FROM projects WHERE project_id = ?", project_id
        )
        return None if r is None else project_row(r)

    def create(
        self, project_id: str, name: str, t: str, display_name: str = ""
    ) -> None:
        self._db.exec(
            f"INSERT INTO projects ({PROJECT_COLS}) VALUES (?, ?, ?, ?, ?)",
            project_id,
            name,
            display_name,
            t,
            t,
        )

    def id_by_name_or_id(self, name_or_id: str) -> str | None:
        r = self._db.one(
            "SELECT project_id FROM projects WHERE name = ? OR project_id = ?",
            name_or_id,
            name_or_id,
        )
        return None if r is None else str(r[0])
