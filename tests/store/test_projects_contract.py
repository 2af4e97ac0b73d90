"""Contract: a project is found by its name or its ID."""

from __future__ import annotations

from akcli.store.interface import Store
from tests.store import seed


def test_id_by_name_or_id(store: Store) -> None:
    seed.project(store)
    seed.project(store, "prj_2")
    assert store.projects.id_by_name_or_id("name-prj_2") == "prj_2"
    assert store.projects.id_by_name_or_id("prj_1") == "prj_1"
    assert store.projects.id_by_name_or_id("nope") is None
