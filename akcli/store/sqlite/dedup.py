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


class SqliteDedup:
    def __init__(self, db: Database) -> None:
        self._db = db
