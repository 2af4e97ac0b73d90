"""Contract: vars read by name; upserted in batches and deleted by name, by
scope and with their project (its own and its connections')."""

from __future__ import annotations

from akcli.store.interface import Store
from akcli.store.interface.vars import VarRow
from tests.store import seed


def test_named(store: Store) -> None:
    seed.var(store, "prj_1", "a", "1")
    seed.var(store, "prj_1", "b", "2")
    seed.var(store, "prj_1", "c", "3")
    seed.var(store, "prj_2", "a", "9")
    got = store.vars.named("prj_1", ["a", "c", "missing"])
    assert sorted((v.scope_id, v.name, v.value) for v in got) == [
        ("prj_1", "a", "1"),
        ("prj_1", "c", "3"),
    ]
    assert store.vars.named("prj_1", []) == []


def test_set_many_upserts(store: Store) -> None:
    store.vars.set_many(
        [VarRow("prj_1", "B", "b", False, "d"), VarRow("prj_1", "A", "ct", True)]
    )
    store.vars.set_many([VarRow("prj_1", "B", "b2", True, "d2")])
    assert store.vars.in_scope("prj_1") == [
        VarRow("prj_1", "A", "ct", True, ""),
        VarRow("prj_1", "B", "b2", True, "d2"),
    ]
    store.vars.set_many([])
    assert len(store.vars.in_scope("prj_1")) == 2


def test_deletes(store: Store) -> None:
    seed.project(store)
    seed.project(store, "prj_2")
    seed.connection(store, "con_1", "c")
    seed.connection(store, "con_2", "d", "prj_2")
    for scope in ("prj_1", "prj_2", "con_1", "con_2"):
        store.vars.set_many([VarRow(scope, n, "v", False) for n in ("X", "Y", "Z")])
    store.vars.delete_names("prj_2", ["X", "nope"])
    assert [v.name for v in store.vars.in_scope("prj_2")] == ["Y", "Z"]
    with store.tx():
        store.vars.delete_scope("con_2")
    assert store.vars.in_scope("con_2") == []
    with store.tx():
        store.vars.delete_for_project("prj_1")
    assert store.vars.in_scope("prj_1") == []
    assert store.vars.in_scope("con_1") == []
    assert [v.name for v in store.vars.in_scope("prj_2")] == ["Y", "Z"]


def test_values_delete_for_project(store: Store) -> None:
    seed.value(store, "prj_1", "k", "v", published=False)
    seed.value(store, "prj_2", "k", "v", published=True)
    with store.tx():
        store.values.delete_for_project("prj_1")
    assert not seed.has_store_value(store, "prj_1", "k")
    assert seed.has_store_value(store, "prj_2", "k")
