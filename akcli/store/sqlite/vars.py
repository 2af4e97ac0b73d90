"""vars on SQLite."""

from __future__ import annotations

from collections.abc import Sequence

from akcli.store.db import Database
from akcli.store.interface.vars import VarRow


class SqliteVars:
    def __init__(self, db: Database) -> None:
        self._db = db

    def in_scope(self, scope_id: str) -> list[VarRow]:
        rows = self._db.all(
            "SELECT scope_id, name, value, is_secret, description FROM vars"
            " WHERE scope_id = ? ORDER BY name",
            scope_id,
        )
        return [
            VarRow(
                r["scope_id"],
                r["name"],
                r["value"],
                bool(r["is_secret"]),
                r["description"],
            )
            for r in rows
        ]

    def named(self, scope_id: str, names: Sequence[str]) -> list[VarRow]:
        if not names:
            return []
        marks = ", ".join("?" * len(names))
        rows = self._db.all(
            "SELECT scope_id, name, value, is_secret, description FROM vars"
            f" WHERE scope_id = ? AND name IN ({marks})",
            scope_id,
            *names,
        )
        # By position: read on the webhook hot path (dedup options).
        return [VarRow(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows]

    def set_many(self, rows: Sequence[VarRow]) -> None:
        with self._db.tx() as c:
            c.executemany(
                "INSERT INTO vars (scope_id, name, value, is_secret, description)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope_id, name) DO UPDATE SET"
                " value = excluded.value, is_secret = excluded.is_secret,"
                " description = excluded.description",
                [
                    (v.scope_id, v.name, v.value, int(v.is_secret), v.description)
                    for v in rows
                ],
            )

    def delete_names(self, scope_id: str, names: Sequence[str]) -> None:
        with self._db.tx() as c:
            c.executemany(
                "DELETE FROM vars WHERE scope_id = ? AND name = ?",
                [(scope_id, n) for n in names],
            )

    def delete_scope(self, scope_id: str) -> None:
        self._db.exec("DELETE FROM vars WHERE scope_id = ?", scope_id)

    def delete_for_project(self, project_id: str) -> None:
        with self._db.tx():
            self._db.exec("DELETE FROM vars WHERE scope_id = ?", project_id)
            self._db.exec(  # connection vars (connections go by ON DELETE CASCADE)
                "DELETE FROM vars WHERE scope_id IN"
                " (SELECT connection_id FROM connections WHERE project_id = ?)",
                project_id,
            )
