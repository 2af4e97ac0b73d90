"""Contract: an event's outcomes are read in the order sent, after an id."""

from __future__ import annotations

from akcli.store.interface import Store
from tests.store import seed


def test_add_then_after(store: Store) -> None:
    with store.tx():
        store.outcomes.add(
            "evt_1", "ses_1", {"status_code": 200, "more": True}, seed.T0
        )
        store.outcomes.add("evt_2", "ses_2", 1, seed.T0)
        store.outcomes.add("evt_1", "ses_1", [1, "x"], seed.T0)
    rows = store.outcomes.after("evt_1", 0)
    assert [r.value for r in rows] == [{"status_code": 200, "more": True}, [1, "x"]]
    assert {(r.event_id, r.session_id) for r in rows} == {("evt_1", "ses_1")}
    assert rows[0].id < rows[1].id
    assert [r.value for r in store.outcomes.after("evt_1", rows[0].id)] == [[1, "x"]]
    assert store.outcomes.after("evt_1", rows[1].id) == []
    assert store.outcomes.after("evt_x", 0) == []
