"""Contract: vars read by name."""

from __future__ import annotations

from akcli.store.interface import Store
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
