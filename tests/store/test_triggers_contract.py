"""Contract: triggers by ID, by connection (with its name), with a webhook,
and schedules with their last fire time."""

from __future__ import annotations

from akcli.store.interface import Store
from tests.store import seed


def test_get_on_connection_with_webhook(store: Store) -> None:
    seed.project(store)
    seed.project(store, "prj_2")
    seed.connection(store, "con_1", "gh")
    seed.trigger(store, "trg_b", connection_id="con_1", created_at="t2")
    seed.trigger(store, "trg_a", connection_id="con_1", created_at="t2")
    seed.trigger(store, "trg_0", connection_id="con_1", created_at="t1")
    seed.trigger(store, "trg_w", webhook_slug="slug1", is_durable=1, is_sync=1)
    seed.trigger(store, "trg_w2", "prj_2", webhook_slug="slug2")
    got = store.triggers.get("trg_w")
    assert got is not None
    assert (got.name, got.webhook_slug, got.is_durable, got.is_sync) == (
        "trg_w",
        "slug1",
        True,
        True,
    )
    assert (got.code_path, got.code_name, got.connection_id) == ("main.py", "on", "")
    assert store.triggers.get("trg_x") is None
    on = store.triggers.on_connection("con_1")
    assert [(r.trigger.trigger_id, r.connection_name) for r in on] == [
        ("trg_0", "gh"),
        ("trg_a", "gh"),
        ("trg_b", "gh"),
    ]
    assert on[0].trigger.connection_id == "con_1"
    assert store.triggers.on_connection("con_x") == []
    assert [t.trigger_id for t in store.triggers.with_webhook("prj_1")] == ["trg_w"]
    assert store.triggers.with_webhook("prj_3") == []


def test_schedules_and_last_fire(store: Store) -> None:
    seed.project(store)
    sched = "SOURCE_TYPE_SCHEDULE"
    seed.trigger(
        store, "trg_2", source_type=sched, schedule="@every 5s", created_at="t2"
    )
    seed.trigger(
        store, "trg_1", source_type=sched, schedule="* * * * *", created_at="t1"
    )
    seed.trigger(store, "trg_w", webhook_slug="s")
    got = store.triggers.with_last_fire(sched)
    assert [(r.trigger.trigger_id, r.last_fire) for r in got] == [
        ("trg_1", None),
        ("trg_2", None),
    ]
    assert got[1].trigger.schedule == "@every 5s"
    with store.tx():
        store.triggers.set_last_fire("trg_1", "2026-01-01T00:00:00.000000Z")
        store.triggers.set_last_fire("trg_2", "2026-01-01T00:00:01.000000Z")
        store.triggers.set_last_fire("trg_1", "2026-01-01T00:00:05.000000Z")
    assert [r.last_fire for r in store.triggers.with_last_fire(sched)] == [
        "2026-01-01T00:00:05.000000Z",
        "2026-01-01T00:00:01.000000Z",
    ]


def test_create_by_name_update_lists_delete(store: Store) -> None:
    import dataclasses

    seed.project(store)
    seed.project(store, "prj_2")
    seed.connection(store, "con_1", "gh")
    seed.trigger(store, "trg_b", name="b", created_at="t2", webhook_slug="s1")
    seed.trigger(store, "trg_a", name="a", created_at="t2", code_path="")
    seed.trigger(store, "trg_0", name="z", created_at="t1", connection_id="con_1")
    seed.trigger(store, "trg_x", "prj_2", name="a", created_at="t0")
    by = store.triggers.by_name("prj_2", "a")
    assert by is not None and by.trigger_id == "trg_x"
    assert store.triggers.by_name("prj_1", "nope") is None
    assert [t.trigger_id for t in store.triggers.for_project("prj_1")] == [
        "trg_0",
        "trg_a",
        "trg_b",
    ]
    assert [t.trigger_id for t in store.triggers.list_all()] == [
        "trg_x",
        "trg_0",
        "trg_a",
        "trg_b",
    ]
    # Triggers that call code, by name.
    assert [t.name for t in store.triggers.with_code("prj_1")] == ["b", "z"]

    old = store.triggers.get("trg_b")
    assert old is not None
    new = dataclasses.replace(
        old,
        name="b2",
        event_type="e",
        filter="data.x",
        code_path="m.py",
        code_name="f",
        is_durable=True,
        is_sync=True,
        schedule="s",
        timezone="UTC",
        updated_at="t9",
        # Not updated:
        source_type="SOURCE_TYPE_SCHEDULE",
        webhook_slug="other",
        created_at="t8",
    )
    with store.tx():
        store.triggers.update(new)
    got = store.triggers.get("trg_b")
    assert got == dataclasses.replace(
        new,
        source_type=old.source_type,
        webhook_slug="s1",
        created_at="t2",
    )

    with store.tx():
        store.triggers.set_last_fire("trg_a", "t5")
        store.triggers.set_last_fire("trg_b", "t5")
        store.triggers.clear_last_fire("trg_a")
    fires = {
        r.trigger.trigger_id: r.last_fire
        for r in store.triggers.with_last_fire("SOURCE_TYPE_WEBHOOK")
    }
    assert fires["trg_a"] is None and fires["trg_b"] == "t5"

    with store.tx():
        store.triggers.delete("trg_b")
        store.triggers.delete_on_connection("con_1")
    assert store.triggers.get("trg_b") is None
    assert store.triggers.get("trg_0") is None
    assert [t.trigger_id for t in store.triggers.for_project("prj_1")] == ["trg_a"]


def test_by_name_keeps_connection_and_filter(store: Store) -> None:
    seed.project(store)
    seed.project(store, "prj_2")
    seed.connection(store, "con_1", "gh")
    seed.trigger(store, "trg_1", name="hook", connection_id="con_1", filter="x")
    seed.trigger(store, "trg_2", pid="prj_2", name="hook")
    got = store.triggers.by_name("prj_1", "hook")
    assert got is not None
    assert (got.trigger_id, got.connection_id, got.filter) == ("trg_1", "con_1", "x")
    other = store.triggers.by_name("prj_2", "hook")
    assert other is not None and other.trigger_id == "trg_2"
    assert store.triggers.by_name("prj_1", "nope") is None
