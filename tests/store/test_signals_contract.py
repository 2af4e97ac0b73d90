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
