"""subscriptions on SQLite."""

from __future__ import annotations

import sqlite3

from akcli.store.db import Database
from akcli.store.interface.subscriptions import SubscriptionRow


def subscription_row(r: sqlite3.Row) -> SubscriptionRow:
    return SubscriptionRow(
        subscription_id=r["subscription_id"],
        session_id=r["session_id"],
        destination_id=r["destination_id"],
        filter=r["filter"],
        cursor=r["cursor"],
        active=bool(r["active"]),
    )


SUBSCRIPTION_COLS = (
    "subscription_id, session_id, destination_id, filter, cursor, active"
)


class SqliteSubscriptions:
    def __init__(self, db: Database) -> None:
        self._db = db
