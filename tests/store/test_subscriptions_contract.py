"""Contract: a session's subscriptions are found only by that session, move
their cursor, and stay readable (inactive) after unsubscribe."""

from __future__ import annotations

from akcli.store.interface import Store
from tests.store import seed


def test_add_get_cursor_deactivate(store: Store) -> None:
    with store.tx():
        store.subscriptions.add("sub_1", "ses_1", "trg_1", "data.n > 1", 7)
    sub = store.subscriptions.get("sub_1", "ses_1")
    assert sub is not None
    assert (sub.destination_id, sub.filter, sub.cursor, sub.active) == (
        "trg_1",
        "data.n > 1",
        7,
        True,
    )
    assert store.subscriptions.get("sub_1", "ses_2") is None
    assert store.subscriptions.get("sub_x", "ses_1") is None
    with store.tx():
        store.subscriptions.set_cursor("sub_1", 9)
        store.subscriptions.deactivate("sub_1", "ses_2")  # not its own: no effect
    sub = store.subscriptions.get("sub_1", "ses_1")
    assert sub is not None and (sub.cursor, sub.active) == (9, True)
    with store.tx():
        store.subscriptions.deactivate("sub_1", "ses_1")
    sub = store.subscriptions.get("sub_1", "ses_1")
    assert sub is not None and not sub.active


def _event(store: Store, eid: str, dest: str) -> int:
    with store.tx():
        store.events.add(
            event_id=eid,
            destination_id=dest,
            project_id="prj_1",
            event_type="t",
            data={"id": eid},
            memo={},
            created_at=seed.T0,
        )
    ev = store.events.get(eid)
    assert ev is not None
    return ev.seq


def test_events_of_running_subscribers(store: Store) -> None:
    """What engine temporal delivers: each event new to an active subscription
    (past its cursor) of a RUNNING durable session, oldest first."""
    seed.project(store)
    seed.session(store, "ses_d", is_durable=True)
    seed.session(store, "ses_p")  # not durable
    for sid in ("ses_d", "ses_p"):
        with store.tx():
            store.sessions.mark_running(sid, seed.T0)
    e1 = _event(store, "evt_1", "trg_1")
    with store.tx():
        store.subscriptions.add("sub_a", "ses_d", "trg_1", "", e1)  # after e1
        store.subscriptions.add("sub_b", "ses_d", "trg_2", "x", 0)
        store.subscriptions.add("sub_c", "ses_d", "trg_1", "", 0)
        store.subscriptions.add("sub_p", "ses_p", "trg_1", "", 0)
    e2 = _event(store, "evt_2", "trg_2")
    e3 = _event(store, "evt_3", "trg_1")
    got = [
        (s.subscription_id, s.filter, e.seq, e.data)
        for s, e in store.subscriptions.events_of_running(0, 10)
    ]
    assert got == [
        ("sub_c", "", e1, {"id": "evt_1"}),
        ("sub_b", "x", e2, {"id": "evt_2"}),
        ("sub_a", "", e3, {"id": "evt_3"}),
        ("sub_c", "", e3, {"id": "evt_3"}),
    ]
    with store.tx():
        store.subscriptions.deactivate("sub_c", "ses_d")
        store.subscriptions.set_cursor("sub_a", e3)
    rows = store.subscriptions.events_of_running(e1, 10)
    assert [(s.subscription_id, e.seq) for s, e in rows] == [("sub_b", e2)]
    assert len(store.subscriptions.events_of_running(0, 1)) == 1
