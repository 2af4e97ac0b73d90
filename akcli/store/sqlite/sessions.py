"""sessions on SQLite."""

from __future__ import annotations

import json
import sqlite3

from akcli.states import SessionState
from akcli.store.db import Database
from akcli.store.interface.sessions import NewSession, SessionRow

SESSION_COLS = (
    "session_id, project_id, deployment_id, build_id, event_id, trigger_id,"
    " parent_session_id, entry_path, entry_name, inputs, memo, event_type, is_durable,"
    " is_sync, state, error, return_value, stop_reason, created_at, updated_at"
)


def session_row(r: sqlite3.Row) -> SessionRow:
    return SessionRow(
        session_id=r["session_id"],
        project_id=r["project_id"],
        deployment_id=r["deployment_id"],
        build_id=r["build_id"],
        event_id=r["event_id"],
        trigger_id=r["trigger_id"],
        parent_session_id=r["parent_session_id"],
        entry_path=r["entry_path"],
        entry_name=r["entry_name"],
        inputs=json.loads(r["inputs"]),
        memo=json.loads(r["memo"]),
        event_type=r["event_type"],
        is_durable=bool(r["is_durable"]),
        is_sync=bool(r["is_sync"]),
        state=SessionState(r["state"]),
        error=r["error"],
        return_value=r["return_value"],
        stop_reason=r["stop_reason"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


class SqliteSessions:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, new: NewSession, t: str) -> None:
        self._db.exec(
            "INSERT INTO sessions (session_id, project_id, deployment_id, build_id,"
            " event_id, trigger_id, parent_session_id, entry_path, entry_name, inputs,"
            " memo, event_type, is_durable, is_sync, state, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            new.session_id,
            new.project_id,
            new.deployment_id,
            new.build_id,
            new.event_id,
            new.trigger_id,
            new.parent_session_id,
            new.entry_path,
            new.entry_name,
            json.dumps(new.inputs),
            json.dumps(new.memo),
            new.event_type,
            int(new.is_durable),
            int(new.is_sync),
            SessionState.CREATED,
            t,
            t,
        )

    def get(self, session_id: str) -> SessionRow | None:
        r = self._db.one(
            f"SELECT {SESSION_COLS} FROM sessions WHERE session_id = ?", session_id
        )
        return session_row(r) if r is not None else None
