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
