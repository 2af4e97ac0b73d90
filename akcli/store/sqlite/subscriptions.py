"""subscriptions on SQLite."""

from __future__ import annotations

import sqlite3

from akcli.states import SessionState
from akcli.store.db import Database
from akcli.store.interface.events import EventRow
from akcli.store.interface.subscriptions import SubscriptionRow
from akcli.store.sqlite.events import event_row


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

_EVENTS_OF_RUNNING = """
SELECT s.subscription_id, s.session_id, s.filter, s.cursor, s.active,
  e.seq, e.event_id, e.destination_id, e.project_id, e.event_type, e.data, e.memo,
  e.created_at, e.dispatched
FROM events e JOIN subscriptions s ON s.destination_id = e.destination_id
WHERE e.seq > ? AND e.seq > s.cursor AND s.active = 1
  AND s.session_id IN (SELECT session_id FROM sessions WHERE state = ? AND is_durable = 1)
ORDER BY e.seq, s.subscription_id LIMIT ?
"""


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

    def events_of_running(
        self, after_seq: int, limit: int
    ) -> list[tuple[SubscriptionRow, EventRow]]:
        rows = self._db.all(_EVENTS_OF_RUNNING, after_seq, SessionState.RUNNING, limit)
        return [(subscription_row(r), event_row(r)) for r in rows]
