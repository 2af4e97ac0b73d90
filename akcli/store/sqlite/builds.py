"""builds on SQLite."""

from __future__ import annotations

import sqlite3

from akcli.states import BuildStatus
from akcli.store.db import Database
from akcli.store.interface.builds import BuildRow


def build_row(r: sqlite3.Row) -> BuildRow:
    return BuildRow(
        build_id=r["build_id"],
        project_id=r["project_id"],
        status=r["status"],
        error=r["error"],
        archive=r["archive"],
        created_at=r["created_at"],
    )


BUILD_COLS = "build_id, project_id, status, error, archive, created_at"


class SqliteBuilds:
    def __init__(self, db: Database) -> None:
        self._db = db

    def archive(self, build_id: str) -> bytes | None:
        row = self._db.one("SELECT archive FROM builds WHERE build_id = ?", build_id)
        return bytes(row["archive"]) if row is not None else None

    def get(self, build_id: str) -> BuildRow | None:
        r = self._db.one(
            f"SELECT {BUILD_COLS} FROM builds WHERE build_id = ?", build_id
        )
        return None if r is None else build_row(r)

    def create(
        self,
        build_id: str,
        project_id: str,
        status: BuildStatus,
        archive: bytes,
        t: str,
    ) -> None:
        self._db.exec(
            "INSERT INTO builds (build_id, project_id, status, archive, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            build_id,
            project_id,
            status,
            archive,
            t,
        )

    def newest_first(self, project_id: str = "") -> list[BuildRow]:
        if project_id:
            rows = self._db.all(
                f"SELECT {BUILD_COLS} FROM builds WHERE project_id = ?"
                " ORDER BY created_at DESC, build_id DESC",
                project_id,
            )
        else:
            rows = self._db.all(
                f"SELECT {BUILD_COLS} FROM builds"
                " ORDER BY created_at DESC, build_id DESC"
            )
        return [build_row(r) for r in rows]

    def delete(self, build_id: str) -> None:
        self._db.exec("DELETE FROM builds WHERE build_id = ?", build_id)
