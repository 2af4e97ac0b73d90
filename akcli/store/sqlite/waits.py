"""waits on SQLite."""

from __future__ import annotations

import json
import sqlite3

from akcli.states import SessionState
from akcli.store.db import Database
from akcli.store.interface.waits import WaitRow


def wait_row(r: sqlite3.Row) -> WaitRow:
    return WaitRow(
        session_id=r["session_id"],
        seq=r["seq"],
        op=r["op"],
        names=json.loads(r["names"]),
        wake_at=r["wake_at"],
        evicted=bool(r["evicted"]),
        created_at=r["created_at"],
    )


WAIT_COLS = "session_id, seq, op, names, wake_at, evicted, created_at"

# A scan (not notifications): a wake-up committed at any moment is found.
_DUE = """
SELECT w.session_id FROM session_waits w WHERE w.evicted = 1 AND (
  (w.wake_at IS NOT NULL AND w.wake_at <= ?)
  OR (w.op = 'next_signal' AND EXISTS (
        SELECT 1 FROM signals s WHERE s.session_id = w.session_id
        AND s.consumed = 0 AND s.name IN (SELECT value FROM json_each(w.names))))
  OR (w.op = 'next_event' AND EXISTS (
        SELECT 1 FROM subscriptions sub JOIN events e
        ON e.destination_id = sub.destination_id AND e.seq > sub.cursor
        WHERE sub.session_id = w.session_id AND sub.active = 1
        AND sub.subscription_id IN (SELECT value FROM json_each(w.names))))
  OR NOT EXISTS (SELECT 1 FROM sessions x WHERE x.session_id = w.session_id
                 AND x.state = ?))
LIMIT ?
"""


class SqliteWaits:
    def __init__(self, db: Database) -> None:
        self._db = db

    def delete_for_session(self, session_id: str) -> None:
        self._db.exec("DELETE FROM session_waits WHERE session_id = ?", session_id)

    def put_evicted(
        self,
        session_id: str,
        seq: int,
        op: str,
        names: list[str],
        wake_at: float | None,
        t: str,
    ) -> None:
        self._db.exec(
            "INSERT OR REPLACE INTO session_waits (session_id, seq, op, names,"
            " wake_at, evicted, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
            session_id,
            seq,
            op,
            json.dumps(names),
            wake_at,
            t,
        )

    def get(self, session_id: str, seq: int) -> WaitRow | None:
        r = self._db.one(
            f"SELECT {WAIT_COLS} FROM session_waits WHERE session_id = ? AND seq = ?",
            session_id,
            seq,
        )
        return wait_row(r) if r is not None else None

    def delete(self, session_id: str, seq: int) -> None:
        self._db.exec(
            "DELETE FROM session_waits WHERE session_id = ? AND seq = ?",
            session_id,
            seq,
        )

    def due(self, now: float, limit: int) -> list[str]:
        rows = self._db.all(_DUE, now, SessionState.RUNNING, limit)
        return [r["session_id"] for r in rows]

    def mark_resumed(self, session_id: str) -> bool:
        cur = self._db.exec(
            "UPDATE session_waits SET evicted = 0 WHERE session_id = ? AND evicted = 1",
            session_id,
        )
        if cur.rowcount == 0:
            return False  # another worker woke it
        self._db.exec(
            "DELETE FROM session_waits WHERE session_id = ? AND op = 'sleep'",
            session_id,
        )
        return True

    def next_wake(self) -> float | None:
        row = self._db.one(
            "SELECT MIN(wake_at) AS t FROM session_waits WHERE evicted = 1"
            " AND wake_at IS NOT NULL"
        )
        return None if row is None or row["t"] is None else float(row["t"])

    def is_evicted(self, session_id: str) -> bool:
        row = self._db.one(
            "SELECT 1 FROM session_waits WHERE session_id = ? AND evicted = 1",
            session_id,
        )
        return row is not None

    def evicted_ids(self) -> set[str]:
        rows = self._db.all("SELECT session_id FROM session_waits WHERE evicted = 1")
        return {r["session_id"] for r in rows}
