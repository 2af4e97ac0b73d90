"""signals on SQLite."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from akcli.states import SessionState
from akcli.store.db import Database
from akcli.store.interface.signals import SignalRow


def signal_row(r: sqlite3.Row) -> SignalRow:
    return SignalRow(
        id=r["id"],
        session_id=r["session_id"],
        name=r["name"],
        payload=json.loads(r["payload"]),
        consumed=bool(r["consumed"]),
        created_at=r["created_at"],
    )


SIGNAL_COLS = "id, session_id, name, payload, consumed, created_at"


class SqliteSignals:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, session_id: str, name: str, payload: Any, t: str) -> None:
        self._db.exec(
            "INSERT INTO signals (session_id, name, payload, created_at) VALUES (?, ?, ?, ?)",
            session_id,
            name,
            json.dumps(payload),
            t,
        )

    def next_pending(self, session_id: str, names: list[str]) -> SignalRow | None:
        marks = ",".join("?" * len(names))
        r = self._db.one(
            f"SELECT {SIGNAL_COLS} FROM signals WHERE session_id = ? AND consumed = 0"
            f" AND name IN ({marks}) ORDER BY id LIMIT 1",
            session_id,
            *names,
        )
        return signal_row(r) if r is not None else None

    def consume(self, signal_id: int) -> None:
        self._db.exec("UPDATE signals SET consumed = 1 WHERE id = ?", signal_id)

    def get(self, signal_id: int) -> SignalRow | None:
        r = self._db.one(f"SELECT {SIGNAL_COLS} FROM signals WHERE id = ?", signal_id)
        return signal_row(r) if r is not None else None

    def pending_of_running(self, after_id: int, limit: int) -> list[SignalRow]:
        rows = self._db.all(
            f"SELECT {SIGNAL_COLS} FROM signals WHERE id > ? AND consumed = 0"
            " AND session_id IN (SELECT session_id FROM sessions WHERE state = ?"
            " AND is_durable = 1) ORDER BY id LIMIT ?",
            after_id,
            SessionState.RUNNING,
            limit,
        )
        return [signal_row(r) for r in rows]
