"""dedup on SQLite."""

from __future__ import annotations

import json
import sqlite3

from akcli.store.db import Database
from akcli.store.interface.dedup import DeliveryRow, WebhookDeliveryRow


def delivery_row(r: sqlite3.Row) -> DeliveryRow:
    return DeliveryRow(
        connection_id=r["connection_id"],
        delivery_id=r["delivery_id"],
        event_ids=json.loads(r["event_ids"]),
        created_at=r["created_at"],
    )


DELIVERY_COLS = "connection_id, delivery_id, event_ids, created_at"


def webhookdelivery_row(r: sqlite3.Row) -> WebhookDeliveryRow:
    return WebhookDeliveryRow(
        trigger_id=r["trigger_id"],
        delivery=r["delivery"],
        event_id=r["event_id"],
        created_at=r["created_at"],
    )


WEBHOOKDELIVERY_COLS = "trigger_id, delivery, event_id, created_at"


# On the webhook hot path: built once.
_REMEMBER = (
    f"INSERT OR REPLACE INTO webhook_deliveries ({WEBHOOKDELIVERY_COLS})"
    " VALUES (?, ?, ?, ?)"
)


class SqliteDedup:
    def __init__(self, db: Database) -> None:
        self._db = db

    def delivery_events(self, connection_id: str, delivery_id: str) -> list[str] | None:
        r = self._db.one(
            "SELECT event_ids FROM deliveries WHERE connection_id = ?"
            " AND delivery_id = ?",
            connection_id,
            delivery_id,
        )
        return None if r is None else list(json.loads(r["event_ids"]))

    def add_delivery(
        self, connection_id: str, delivery_id: str, event_ids: list[str], t: str
    ) -> None:
        self._db.exec(
            f"INSERT INTO deliveries ({DELIVERY_COLS}) VALUES (?, ?, ?, ?)",
            connection_id,
            delivery_id,
            json.dumps(event_ids),
            t,
        )

    def webhook_event(self, trigger_id: str, delivery: str, since: float) -> str | None:
        r = self._db.one(
            "SELECT event_id FROM webhook_deliveries WHERE trigger_id = ?"
            " AND delivery = ? AND created_at >= ?",
            trigger_id,
            delivery,
            since,
        )
        return None if r is None else str(r["event_id"])

    def remember_webhook(
        self,
        trigger_id: str,
        delivery: str,
        event_id: str,
        t: float,
        drop_before: float,
    ) -> None:
        self._db.exec(
            _REMEMBER,
            trigger_id,
            delivery,
            event_id,
            t,
        )
        self._db.exec(
            "DELETE FROM webhook_deliveries WHERE created_at < ?", drop_before
        )
