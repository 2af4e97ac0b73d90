"""Contract: accepted events are stored, read back and listed."""

from __future__ import annotations

from typing import Any

from akcli.store.interface import Store


def _add(store: Store, eid: str, dest: str, pid: str, etype: str, t: str) -> None:
    with store.tx():
        store.events.add(
            event_id=eid,
            destination_id=dest,
            project_id=pid,
            event_type=etype,
            data={"n": eid},
            memo={"m": "1"},
            created_at=t,
        )


def test_add_then_get(store: Store) -> None:
    _add(store, "evt_1", "trg_1", "prj_1", "get", "t1")
    got = store.events.get("evt_1")
    assert got is not None
    assert (got.destination_id, got.project_id, got.event_type) == (
        "trg_1",
        "prj_1",
        "get",
    )
    assert (got.data, got.memo, got.created_at) == ({"n": "evt_1"}, {"m": "1"}, "t1")
    assert got.dispatched is False and got.seq > 0
    assert store.events.get("evt_2") is None


def test_find(store: Store) -> None:
    _add(store, "evt_1", "trg_1", "prj_1", "get", "t1")
    _add(store, "evt_2", "trg_2", "prj_1", "post", "t2")
    _add(store, "evt_3", "trg_1", "prj_2", "post", "t3")

    def ids(**kw: Any) -> list[str]:
        return [e.event_id for e in store.events.find(**kw)]

    assert ids() == ["evt_3", "evt_2", "evt_1"]
    assert ids(newest_first=False) == ["evt_1", "evt_2", "evt_3"]
    assert ids(limit=2) == ["evt_3", "evt_2"]
    assert ids(destination_id="trg_1") == ["evt_3", "evt_1"]
    assert ids(project_id="prj_1") == ["evt_2", "evt_1"]
    # A destination wins over the project.
    assert ids(destination_id="trg_1", project_id="prj_1") == ["evt_3", "evt_1"]
    assert ids(event_type="post") == ["evt_3", "evt_2"]
