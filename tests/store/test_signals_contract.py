"""Contract: signals queue per session and are taken oldest first, by name,
once each."""

from __future__ import annotations

from akcli.store.interface import Store
from tests.store import seed


def test_next_pending_by_name_then_consumed(store: Store) -> None:
    with store.tx():
        store.signals.add("ses_1", "a", {"n": 1}, seed.T0)
        store.signals.add("ses_1", "b", [2], seed.T0)
        store.signals.add("ses_1", "a", None, seed.T0)
        store.signals.add("ses_2", "a", "other", seed.T0)
    first = store.signals.next_pending("ses_1", ["a"])
    assert first is not None
    assert (first.session_id, first.name, first.payload, first.consumed) == (
        "ses_1",
        "a",
        {"n": 1},
        False,
    )
    with store.tx():
        store.signals.consume(first.id)
    second = store.signals.next_pending("ses_1", ["a"])
    assert second is not None and second.payload is None and second.id > first.id
    either = store.signals.next_pending("ses_1", ["b", "a"])
    assert either is not None and either.name == "b"  # the oldest of both names
    with store.tx():
        store.signals.consume(second.id)
    assert store.signals.next_pending("ses_1", ["a"]) is None
    assert store.signals.next_pending("ses_1", ["c"]) is None
    other = store.signals.next_pending("ses_2", ["a"])
    assert other is not None and other.payload == "other"


def test_pending_of_running_durable_sessions(store: Store) -> None:
    """What engine temporal delivers: unconsumed signals of RUNNING durable
    sessions, oldest first, after a given id; get() reads one by id."""
    seed.project(store)
    seed.session(store, "ses_d", is_durable=True)
    seed.session(store, "ses_p")  # not durable
    seed.session(store, "ses_c", is_durable=True)  # still CREATED
    for sid in ("ses_d", "ses_p"):
        with store.tx():
            store.sessions.mark_running(sid, seed.T0)
    with store.tx():
        store.signals.add("ses_d", "a", 1, seed.T0)
        store.signals.add("ses_p", "a", 2, seed.T0)
        store.signals.add("ses_c", "a", 3, seed.T0)
        store.signals.add("ses_d", "b", 4, seed.T0)
        store.signals.add("ses_d", "c", 5, seed.T0)
    rows = store.signals.pending_of_running(0, 10)
    assert [(r.session_id, r.payload) for r in rows] == [
        ("ses_d", 1),
        ("ses_d", 4),
        ("ses_d", 5),
    ]
    with store.tx():
        store.signals.consume(rows[1].id)
    after = store.signals.pending_of_running(rows[0].id, 10)
    assert [r.payload for r in after] == [5]
    assert store.signals.pending_of_running(0, 1)[0].payload == 1
    got = store.signals.get(rows[1].id)
    assert got is not None and got.consumed and got.name == "b"
    assert store.signals.get(10**9) is None
