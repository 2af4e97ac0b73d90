"""projects on SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

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

    def by_name(self, name: str) -> ProjectRow | None:
        r = self._db.one(f"SELECT {PROJECT_COLS} FROM projects WHERE name = ?", name)
        return None if r is None else project_row(r)

    def list_all(self) -> list[ProjectRow]:
        rows = self._db.all(
            f"SELECT {PROJECT_COLS} FROM projects ORDER BY created_at, project_id"
        )
        return [project_row(r) for r in rows]

    def update(self, project_id: str, name: str, display_name: str, t: str) -> None:
        self._db.exec(
            "UPDATE projects SET name = ?, display_name = ?, updated_at = ?"
            " WHERE project_id = ?",
            name,
            display_name,
            t,
            project_id,
        )

    def delete(self, project_id: str) -> None:
        self._db.exec("DELETE FROM projects WHERE project_id = ?", project_id)

    def set_resources(self, project_id: str, files: Mapping[str, bytes]) -> None:
        with self._db.tx() as c:
            c.execute("DELETE FROM resources WHERE project_id = ?", (project_id,))
            c.executemany(
                f"INSERT INTO resources ({RESOURCE_COLS}) VALUES (?, ?, ?)",
                [(project_id, path, data) for path, data in files.items()],
            )

    def resources(self, project_id: str) -> list[ResourceRow]:
        rows = self._db.all(
            f"SELECT {RESOURCE_COLS} FROM resources WHERE project_id = ? ORDER BY path",
            project_id,
        )
        return [resource_row(r) for r in rows]

    def id_by_name_or_id(self, name_or_id: str) -> str | None:
        r = self._db.one(
            "SELECT project_id FROM projects WHERE name = ? OR project_id = ?",
            name_or_id,
            name_or_id,
        )
        return None if r is None else str(r[0])
