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

    def add(
        self,
        subscription_id: str,
        session_id: str,
        destination_id: str,
        filter: str,
        cursor: int,
    ) -> None:
        self._db.exec(
            "INSERT INTO subscriptions (subscription_id, session_id, destination_id,"
            " filter, cursor, active) VALUES (?, ?, ?, ?, ?, 1)",
            subscription_id,
            session_id,
            destination_id,
            filter,
            cursor,
        )

    def get(self, subscription_id: str, session_id: str) -> SubscriptionRow | None:
        r = self._db.one(
            f"SELECT {SUBSCRIPTION_COLS} FROM subscriptions"
            " WHERE subscription_id = ? AND session_id = ?",
            subscription_id,
            session_id,
        )
        return subscription_row(r) if r is not None else None

    def set_cursor(self, subscription_id: str, cursor: int) -> None:
        self._db.exec(
            "UPDATE subscriptions SET cursor = ? WHERE subscription_id = ?",
            cursor,
            subscription_id,
        )

    def deactivate(self, subscription_id: str, session_id: str) -> None:
        self._db.exec(
            "UPDATE subscriptions SET active = 0 WHERE subscription_id = ? AND session_id = ?",
            subscription_id,
            session_id,
        )
