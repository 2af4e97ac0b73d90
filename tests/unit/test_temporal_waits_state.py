"""The workflow-side bookkeeping of signals, events and the waits they answer
(akcli/engine/temporal/waits_state.py): deliveries are deduplicated and each
signal / event answers one wait."""

from __future__ import annotations

from akcli.engine.temporal.waits_state import EVENT, SIGNAL, Wait, WaitsState


def test_signal_answers_one_wait_by_name_in_arrival_order() -> None:
    w = WaitsState()
    a = Wait(SIGNAL, ["go"], None)
    assert not w.take(1, a)  # nothing delivered yet
    w.add_signal(7, "other")
    w.add_signal(5, "go")
    w.add_signal(9, "go")
    w.add_signal(5, "go")  # delivered again after a restart: dropped
    assert w.take(1, a)
    assert w.answers[1] == {"id": 5, "name": "go"}
    w.add_signal(5, "go")  # even once consumed
    assert w.take(2, a)
    assert w.answers[2] == {"id": 9, "name": "go"}
    assert not w.take(3, a)  # "other" is not "go"
    assert w.take(3, Wait(SIGNAL, ["x", "other"], None))
    assert w.answers[3] == {"id": 7, "name": "other"}


def test_event_answers_oldest_past_cursor() -> None:
    w = WaitsState()
    both = Wait(EVENT, ["sub_a", "sub_b"], None)
    w.add_event("sub_b", 12)
    w.add_event("sub_a", 15)
    w.add_event("sub_b", 12)  # duplicate
    w.add_event("sub_b", 20)
    assert w.take(1, both)
    assert w.answers[1] == {"subscription_id": "sub_b", "event_seq": 12}
    w.add_event("sub_b", 12)  # at or before the cursor: dropped
    w.add_event("sub_b", 11)
    assert w.take(2, both)
    assert w.answers[2] == {"subscription_id": "sub_a", "event_seq": 15}
    assert w.take(3, Wait(EVENT, ["sub_b"], None))
    assert w.answers[3] == {"subscription_id": "sub_b", "event_seq": 20}
    assert not w.take(4, both)
