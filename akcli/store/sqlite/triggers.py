"""triggers on SQLite."""

from __future__ import annotations

import sqlite3

from akcli.states import DeploymentState
from akcli.store.db import Database
from akcli.store.interface.triggers import ScheduleStateRow, TriggerRow


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


class SqliteTriggers:
    def __init__(self, db: Database) -> None:
        self._db = db

    def live_webhook(self, slug: str) -> TriggerRow | None:
        cols = ", ".join(f"t.{c.strip()}" for c in TRIGGER_COLS.split(","))
        r = self._db.one(
            f"SELECT {cols} FROM triggers t WHERE t.webhook_slug = ? AND EXISTS"
            " (SELECT 1 FROM deployments d WHERE d.project_id = t.project_id"
            " AND d.state = ?)",
            slug,
            DeploymentState.ACTIVE,
        )
        return None if r is None else trigger_row(r)
