"""sessions on SQLite."""

from __future__ import annotations

import json

from akcli.states import SessionState
from akcli.store.db import Database
from akcli.store.interface.sessions import NewSession


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
