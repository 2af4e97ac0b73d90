"""Session rows and their log records: the one place that writes them."""

from __future__ import annotations

import json
from typing import Any

from akcli.server.state import Server
from akcli.store.db import now

FINAL_STATES = ("completed", "error", "stopped")


def add_log(srv: Server, session_id: str, record: dict[str, Any]) -> None:
    """Append one log record (`{"state": {...}}`, `{"call_spec": ...}`, ...)."""
    srv.db.exec(
        "INSERT INTO session_logs (session_id, seq, t, record) VALUES (?, "
        "(SELECT COALESCE(MAX(seq), 0) + 1 FROM session_logs WHERE session_id = ?), ?, ?)",
        session_id,
        session_id,
        now(),
        json.dumps(record),
    )


def create_session(
    srv: Server,
    *,
    project_id: str,
    entry_path: str,
    entry_name: str,
    inputs: dict[str, Any],
    memo: dict[str, str] | None = None,
    deployment_id: str = "",
    build_id: str = "",
    event_id: str = "",
    trigger_id: str = "",
    event_type: str = "",
    parent_session_id: str = "",
    is_durable: bool = False,
    is_sync: bool = False,
) -> str:
    """Insert a CREATED session (call inside the caller's transaction).

    The engine picks up CREATED sessions and runs them; on a restart it picks
    them up again, so a session row committed here is never lost.
    """
    sid = srv.ids.new("ses")
    t = now()
    with srv.db.tx():
        srv.db.exec(
            "INSERT INTO sessions (session_id, project_id, deployment_id, build_id, event_id,"
            " trigger_id, parent_session_id, entry_path, entry_name, inputs, memo, event_type,"
            " is_durable, is_sync, state, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'created', ?, ?)",
            sid,
            project_id,
            deployment_id,
            build_id,
            event_id,
            trigger_id,
            parent_session_id,
            entry_path,
            entry_name,
            json.dumps(inputs),
            json.dumps(memo or {}),
            event_type,
            int(is_durable),
            int(is_sync),
            t,
            t,
        )
        add_log(srv, sid, {"state": {"created": {}}})
    if srv.engine is not None:
        srv.engine.kick()
    return sid
