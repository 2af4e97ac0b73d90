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
