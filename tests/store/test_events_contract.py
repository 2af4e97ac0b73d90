"""Contract: events are stored pending, listed by seq, flagged dispatched once
(with their memo when it changed); pending filters cover the event's trigger
and the triggers on its connection."""

from __future__ import annotations

from typing import Any

from akcli.store.interface import Store
from tests.store import seed


def _event(store: Store, eid: str, dest: str, **kw: Any) -> None:
    with store.tx():
        store.events.add(
            event_id=eid,
            destination_id=dest,
            project_id="prj_1",
            event_type=kw.pop("event_type", "get"),
            data=kw.pop("data", {"n": 1}),
            memo=kw.pop("memo", {}),
            created_at=seed.T0,
            **kw,
        )


def test_pending_then_dispatched(store: Store) -> None:
    _event(store, "evt_1", "trg_1", data={"a": [1]}, memo={"k": "v"})
    _event(store, "evt_2", "trg_1", dispatched=True)
    _event(store, "evt_3", "trg_2")
    pending = store.events.pending(0, 10)
    assert [e.event_id for e in pending] == ["evt_1", "evt_3"]
    first = pending[0]
    assert (first.destination_id, first.event_type, first.data, first.memo) == (
        "trg_1",
        "get",
        {"a": [1]},
        {"k": "v"},
    )
    assert first.dispatched is False
    assert [e.event_id for e in store.events.pending(first.seq, 10)] == ["evt_3"]
    assert [e.event_id for e in store.events.pending(0, 1)] == ["evt_1"]
    assert store.events.is_dispatched(first.seq) is False
    with store.tx():
        store.events.mark_dispatched(first.seq)
        store.events.mark_dispatched(pending[1].seq, {"filter_error:t": "bad"})
    assert store.events.is_dispatched(first.seq) is True
    assert store.events.is_dispatched(10_000) is None
    assert store.events.pending(0, 10) == []


def test_pending_filters(store: Store) -> None:
    seed.project(store)
    seed.connection(store, "con_1", "gh")
    seed.trigger(store, "trg_f", filter="data.n == 1")
    seed.trigger(store, "trg_nofilter")
    seed.trigger(store, "trg_c1", connection_id="con_1", filter="data.x")
    seed.trigger(store, "trg_c2", connection_id="con_1")
    _event(store, "evt_1", "trg_f")
    _event(store, "evt_2", "trg_nofilter")
    _event(store, "evt_3", "con_1", data={"x": True})
    _event(store, "evt_4", "trg_f", dispatched=True)
    got = store.events.pending_filters(10)
    assert [(r.event_id, r.filter) for r in got] == [
        ("evt_1", "data.n == 1"),
        ("evt_3", "data.x"),
    ]
    assert got[1].data_json.replace(" ", "") == '{"x":true}'
    assert got[0].seq < got[1].seq and got[0].event_type == "get"
    assert len(store.events.pending_filters(1)) == 1


def test_max_seq_after_and_dispatched_by_id(store: Store) -> None:
    assert store.events.max_seq() == 0
    _event(store, "evt_1", "trg_1", data={"n": 1})
    _event(store, "evt_2", "trg_2")
    _event(store, "evt_3", "trg_1", data={"n": 3}, dispatched=True)
    newest = store.events.max_seq()
    got = store.events.after("trg_1", 0, 100)
    assert [(e.event_id, e.data) for e in got] == [
        ("evt_1", {"n": 1}),
        ("evt_3", {"n": 3}),
    ]
    assert got[-1].seq == newest
    assert [e.event_id for e in store.events.after("trg_1", got[0].seq, 100)] == [
        "evt_3"
    ]
    assert [e.event_id for e in store.events.after("trg_1", 0, 1)] == ["evt_1"]
    assert store.events.after("trg_1", newest, 100) == []
    assert store.events.dispatched_by_id("evt_3")
    assert not store.events.dispatched_by_id("evt_1")
    assert not store.events.dispatched_by_id("evt_x")
