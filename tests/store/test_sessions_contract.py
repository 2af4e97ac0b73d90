"""Contract: sessions are created CREATED and read back as typed rows."""

from __future__ import annotations

from akcli.states import SessionState
from akcli.store.interface import Store
from akcli.store.interface.sessions import NewSession


def test_create_then_get(store: Store) -> None:
    new = NewSession(
        session_id="ses_1",
        project_id="prj_1",
        entry_path="main.py",
        entry_name="on_event",
        inputs={"data": {"n": 1}},
        memo={"k": "v"},
        event_id="evt_1",
        is_durable=True,
    )
    with store.tx():
        store.sessions.create(new, "2026-01-01T00:00:00.000000Z")
    got = store.sessions.get("ses_1")
    assert got is not None
    assert got.state is SessionState.CREATED
    assert (got.inputs, got.memo, got.event_id) == (
        {"data": {"n": 1}},
        {"k": "v"},
        "evt_1",
    )
    assert (got.is_durable, got.is_sync, got.return_value) == (True, False, None)
    assert got.created_at == got.updated_at == "2026-01-01T00:00:00.000000Z"
    assert store.sessions.get("ses_2") is None
