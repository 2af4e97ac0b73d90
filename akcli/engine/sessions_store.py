"""Session rows and their log records: the one place that writes them."""

from __future__ import annotations

from typing import Any

from akcli.engine.context import EngineContext
from akcli.states import SessionState
from akcli.store.db import now
from akcli.store.interface.sessions import NewSession

FINAL_STATES = (SessionState.COMPLETED, SessionState.ERROR, SessionState.STOPPED)


def add_log(srv: EngineContext, session_id: str, record: dict[str, Any]) -> None:
    """Append one log record (`{"state": {...}}`, `{"call_spec": ...}`, ...)."""
    srv.store.logs.append(session_id, [record], now())


def create_session(
    srv: EngineContext,
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
    new = NewSession(
        session_id=sid,
        project_id=project_id,
        entry_path=entry_path,
        entry_name=entry_name,
        inputs=inputs,
        memo=memo or {},
        deployment_id=deployment_id,
        build_id=build_id,
        event_id=event_id,
        trigger_id=trigger_id,
        event_type=event_type,
        parent_session_id=parent_session_id,
        is_durable=is_durable,
        is_sync=is_sync,
    )
    with srv.store.tx():
        srv.store.sessions.create(new, t)
        srv.store.logs.append(sid, [{"state": {"created": {}}}], t)
    srv.bell.ring()
    return sid
