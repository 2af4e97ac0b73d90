"""Contract: projects and builds are created and read back; a project is found
by its name or its ID."""

from __future__ import annotations

from akcli.states import BuildStatus
from akcli.store.interface import Store
from tests.store import seed


def test_project_create_get(store: Store) -> None:
    with store.tx():
        store.projects.create("prj_1", "p", "t0")
    got = store.projects.get("prj_1")
    assert got is not None
    assert (got.name, got.display_name, got.created_at, got.updated_at) == (
        "p",
        "",
        "t0",
        "t0",
    )
    assert store.projects.get("prj_2") is None


def test_build_create_get(store: Store) -> None:
    with store.tx():
        store.projects.create("prj_1", "p", "t0")
        store.builds.create("bld_1", "prj_1", BuildStatus.SUCCESS, b"tar!", "t1")
    got = store.builds.get("bld_1")
    assert got is not None
    assert (got.project_id, got.status, got.error, bytes(got.archive)) == (
        "prj_1",
        BuildStatus.SUCCESS,
        "",
        b"tar!",
    )
    assert got.created_at == "t1"
    assert store.builds.get("bld_2") is None


def test_id_by_name_or_id(store: Store) -> None:
    seed.project(store)
    seed.project(store, "prj_2")
    assert store.projects.id_by_name_or_id("name-prj_2") == "prj_2"
    assert store.projects.id_by_name_or_id("prj_1") == "prj_1"
    assert store.projects.id_by_name_or_id("nope") is None
