"""Contract: an ended session's waits are dropped, not another session's."""

from __future__ import annotations

from akcli.store.interface import Store
from tests.store import seed


def test_delete_for_session(store: Store) -> None:
    seed.session(store, "ses_1")
    seed.session(store, "ses_2")
    seed.wait(store, "ses_1")
    seed.wait(store, "ses_2", op="next_signal")
    with store.tx():
        store.waits.delete_for_session("ses_1")
        store.waits.delete_for_session("ses_x")
    assert not seed.has_wait(store, "ses_1")
    assert seed.has_wait(store, "ses_2")


def _running(store: Store, *sids: str) -> None:
    for sid in sids:
        seed.session(store, sid)
        with store.tx():
            store.sessions.mark_running(sid, seed.T0)


def test_put_get_delete_and_evicted(store: Store) -> None:
    with store.tx():
        store.waits.put_evicted("ses_1", 3, "next_signal", ["a", "b"], None, seed.T0)
        store.waits.put_evicted("ses_2", 5, "sleep", [], 100.5, seed.T0)
    got = store.waits.get("ses_1", 3)
    assert got is not None
    assert (got.op, got.names, got.wake_at, got.evicted) == (
        "next_signal",
        ["a", "b"],
        None,
        True,
    )
    assert store.waits.get("ses_1", 4) is None  # another call's
    assert store.waits.evicted_ids() == {"ses_1", "ses_2"}
    assert store.waits.is_evicted("ses_2") and not store.waits.is_evicted("ses_3")
    assert store.waits.next_wake() == 100.5
    with store.tx():  # a new wait replaces the session's old one
        store.waits.put_evicted("ses_1", 4, "next_event", ["sub_1"], 50.0, seed.T0)
    assert store.waits.get("ses_1", 3) is None
    assert store.waits.next_wake() == 50.0
    with store.tx():
        store.waits.delete("ses_1", 3)  # not its seq any more: kept
    assert store.waits.get("ses_1", 4) is not None
    with store.tx():
        store.waits.delete("ses_1", 4)
        store.waits.delete("ses_2", 5)
    assert store.waits.evicted_ids() == set()
    assert store.waits.next_wake() is None


def test_mark_resumed_drops_sleeps_and_keeps_deadlines(store: Store) -> None:
    with store.tx():
        store.waits.put_evicted("ses_1", 1, "sleep", [], 10.0, seed.T0)
        store.waits.put_evicted("ses_2", 2, "next_signal", ["a"], 20.0, seed.T0)
        store.waits.mark_resumed("ses_1")
        store.waits.mark_resumed("ses_2")
    assert store.waits.get("ses_1", 1) is None
    kept = store.waits.get("ses_2", 2)
    assert kept is not None and (kept.evicted, kept.wake_at) == (False, 20.0)
    assert store.waits.evicted_ids() == set()
    assert store.waits.next_wake() is None  # only evicted waits wake by time


def test_due(store: Store) -> None:
    _running(store, "ses_t", "ses_f", "ses_s", "ses_n", "ses_e", "ses_q", "ses_r")
    seed.session(store, "ses_c")  # CREATED: not RUNNING any more counts as due
    with store.tx():
        w = store.waits
        w.put_evicted("ses_t", 1, "sleep", [], 10.0, seed.T0)  # time passed
        w.put_evicted("ses_f", 1, "sleep", [], 99.0, seed.T0)  # not yet
        w.put_evicted("ses_s", 1, "next_signal", ["go"], None, seed.T0)
        w.put_evicted("ses_n", 1, "next_signal", ["go"], None, seed.T0)
        w.put_evicted("ses_e", 1, "next_event", ["sub_e"], None, seed.T0)
        w.put_evicted("ses_q", 1, "next_event", ["sub_q"], None, seed.T0)
        w.put_evicted("ses_r", 1, "sleep", [], 10.0, seed.T0)
        w.mark_resumed("ses_r")  # has a runner: not a candidate
        w.put_evicted("ses_c", 1, "sleep", [], None, seed.T0)
        w.put_evicted("ses_x", 1, "sleep", [], None, seed.T0)  # no session
        store.signals.add("ses_s", "go", None, seed.T0)
        store.signals.add("ses_n", "other", None, seed.T0)
        store.events.add(
            event_id="evt_1",
            destination_id="trg_1",
            project_id="prj_1",
            event_type="get",
            data={},
            memo={},
            created_at=seed.T0,
        )
        newest = store.events.max_seq()
        store.subscriptions.add("sub_e", "ses_e", "trg_1", "", newest - 1)
        store.subscriptions.add("sub_q", "ses_q", "trg_1", "", newest)  # seen
    due = store.waits.due(20.0, 100)
    assert sorted(due) == ["ses_c", "ses_e", "ses_s", "ses_t", "ses_x"]
    assert len(store.waits.due(20.0, 2)) == 2
    assert sorted(store.waits.due(100.0, 100)) == sorted([*due, "ses_f"])
    with store.tx():
        store.signals.consume(store.signals.next_pending("ses_s", ["go"]).id)  # type: ignore[union-attr]
        store.subscriptions.deactivate("sub_e", "ses_e")
    assert "ses_s" not in store.waits.due(20.0, 100)
    assert "ses_e" not in store.waits.due(20.0, 100)
