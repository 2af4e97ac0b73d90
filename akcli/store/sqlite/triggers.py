"""triggers on SQLite."""

from __future__ import annotations

import sqlite3

from akcli.states import DeploymentState
from akcli.store.db import Database
from akcli.store.interface.triggers import (
    ConnectionTriggerRow,
    ScheduledTriggerRow,
    ScheduleStateRow,
    TriggerRow,
)


def trigger_row(r: sqlite3.Row) -> TriggerRow:
    return TriggerRow(
        trigger_id=r["trigger_id"],
        project_id=r["project_id"],
        name=r["name"],
        source_type=r["source_type"],
        event_type=r["event_type"],
        filter=r["filter"],
        code_path=r["code_path"],
        code_name=r["code_name"],
        is_durable=bool(r["is_durable"]),
        is_sync=bool(r["is_sync"]),
        schedule=r["schedule"],
        timezone=r["timezone"],
        webhook_slug=r["webhook_slug"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        connection_id=r["connection_id"],
    )


TRIGGER_COLS = "trigger_id, project_id, name, source_type, event_type, filter, code_path, code_name, is_durable, is_sync, schedule, timezone, webhook_slug, created_at, updated_at, connection_id"


def schedulestate_row(r: sqlite3.Row) -> ScheduleStateRow:
    return ScheduleStateRow(
        trigger_id=r["trigger_id"],
        last_fire=r["last_fire"],
    )


SCHEDULESTATE_COLS = "trigger_id, last_fire"

# TRIGGER_COLS of `triggers t` in a join.
_T_COLS = ", ".join(f"t.{c}" for c in TRIGGER_COLS.split(", "))


# On the webhook hot path: the statement's text is built once.
_LIVE_WEBHOOK = (
    "SELECT "
    + ", ".join(f"t.{c.strip()}" for c in TRIGGER_COLS.split(","))
    + " FROM triggers t WHERE t.webhook_slug = ? AND EXISTS"
    " (SELECT 1 FROM deployments d WHERE d.project_id = t.project_id"
    " AND d.state = ?)"
)


class SqliteTriggers:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, trigger_id: str) -> TriggerRow | None:
        r = self._db.one(
            f"SELECT {TRIGGER_COLS} FROM triggers WHERE trigger_id = ?", trigger_id
        )
        return trigger_row(r) if r is not None else None

    def on_connection(self, connection_id: str) -> list[ConnectionTriggerRow]:
        rows = self._db.all(
            f"SELECT {_T_COLS}, c.name AS connection_name FROM triggers t"
            " JOIN connections c USING (connection_id) WHERE t.connection_id = ?"
            " ORDER BY t.created_at, t.trigger_id",
            connection_id,
        )
        return [
            ConnectionTriggerRow(trigger_row(r), r["connection_name"]) for r in rows
        ]

    def with_webhook(self, project_id: str) -> list[TriggerRow]:
        rows = self._db.all(
            f"SELECT {TRIGGER_COLS} FROM triggers"
            " WHERE project_id = ? AND webhook_slug IS NOT NULL",
            project_id,
        )
        return [trigger_row(r) for r in rows]

    def with_last_fire(self, source_type: str) -> list[ScheduledTriggerRow]:
        rows = self._db.all(
            f"SELECT {_T_COLS}, s.last_fire FROM triggers t LEFT JOIN schedule_state s"
            " USING (trigger_id) WHERE t.source_type = ? ORDER BY t.created_at",
            source_type,
        )
        return [ScheduledTriggerRow(trigger_row(r), r["last_fire"]) for r in rows]

    def set_last_fire(self, trigger_id: str, last_fire: str) -> None:
        self._db.exec(
            "INSERT INTO schedule_state (trigger_id, last_fire) VALUES (?, ?)"
            " ON CONFLICT (trigger_id) DO UPDATE SET last_fire = excluded.last_fire",
            trigger_id,
            last_fire,
        )

    def move_last_fire(self, trigger_id: str, old: str | None, new: str) -> bool:
        if old is None:
            cur = self._db.exec(
                "INSERT INTO schedule_state (trigger_id, last_fire) VALUES (?, ?)"
                " ON CONFLICT (trigger_id) DO NOTHING",
                trigger_id,
                new,
            )
        else:
            cur = self._db.exec(
                "UPDATE schedule_state SET last_fire = ?"
                " WHERE trigger_id = ? AND last_fire = ?",
                new,
                trigger_id,
                old,
            )
        return cur.rowcount == 1

    def live_webhook(self, slug: str) -> TriggerRow | None:
        r = self._db.one(_LIVE_WEBHOOK, slug, DeploymentState.ACTIVE.value)
        if r is None:
            return None
        # By position (TRIGGER_COLS is in field order): on the hot path, a
        # column looked up by name costs more than the query.
        return TriggerRow(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), bool(r[9]),
            r[10], r[11], r[12], r[13], r[14], r[15],
        )  # fmt: skip

    def by_name(self, project_id: str, name: str) -> TriggerRow | None:
        r = self._db.one(
            f"SELECT {TRIGGER_COLS} FROM triggers WHERE project_id = ? AND name = ?",
            project_id,
            name,
        )
        return trigger_row(r) if r is not None else None

    def create(self, row: TriggerRow) -> None:
        self._db.exec(
            f"INSERT INTO triggers ({TRIGGER_COLS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row.trigger_id,
            row.project_id,
            row.name,
            row.source_type,
            row.event_type,
            row.filter,
            row.code_path,
            row.code_name,
            int(row.is_durable),
            int(row.is_sync),
            row.schedule,
            row.timezone,
            row.webhook_slug,
            row.created_at,
            row.updated_at,
            row.connection_id,
        )

    def update(self, row: TriggerRow) -> None:
        self._db.exec(
            "UPDATE triggers SET name = ?, event_type = ?, filter = ?, code_path = ?,"
            " code_name = ?, is_durable = ?, is_sync = ?, schedule = ?, timezone = ?,"
            " updated_at = ? WHERE trigger_id = ?",
            row.name,
            row.event_type,
            row.filter,
            row.code_path,
            row.code_name,
            int(row.is_durable),
            int(row.is_sync),
            row.schedule,
            row.timezone,
            row.updated_at,
            row.trigger_id,
        )

    def clear_last_fire(self, trigger_id: str) -> None:
        self._db.exec("DELETE FROM schedule_state WHERE trigger_id = ?", trigger_id)

    def for_project(self, project_id: str) -> list[TriggerRow]:
        rows = self._db.all(
            f"SELECT {TRIGGER_COLS} FROM triggers WHERE project_id = ?"
            " ORDER BY created_at, trigger_id",
            project_id,
        )
        return [trigger_row(r) for r in rows]

    def list_all(self) -> list[TriggerRow]:
        rows = self._db.all(
            f"SELECT {TRIGGER_COLS} FROM triggers ORDER BY created_at, trigger_id"
        )
        return [trigger_row(r) for r in rows]

    def with_code(self, project_id: str) -> list[TriggerRow]:
        rows = self._db.all(
            f"SELECT {TRIGGER_COLS} FROM triggers"
            " WHERE project_id = ? AND code_path != '' ORDER BY name",
            project_id,
        )
        return [trigger_row(r) for r in rows]

    def delete(self, trigger_id: str) -> None:
        self._db.exec("DELETE FROM triggers WHERE trigger_id = ?", trigger_id)

    def delete_on_connection(self, connection_id: str) -> None:
        self._db.exec("DELETE FROM triggers WHERE connection_id = ?", connection_id)
