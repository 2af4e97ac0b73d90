"""builds on SQLite."""

from __future__ import annotations

import sqlite3

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
