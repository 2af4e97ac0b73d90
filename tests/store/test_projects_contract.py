"""Contract: projects and builds are created and read back; projects by
name (or name or ID), update, list, delete (with what goes by cascade), and
resource files."""

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


def test_create_get_by_name_update_list(store: Store) -> None:
    with store.tx():
        store.projects.create("prj_b", "beta", "t2", "Beta")
        store.projects.create("prj_a", "alpha", "t2")
        store.projects.create("prj_c", "gamma", "t1")
    got = store.projects.get("prj_b")
    assert got is not None
    assert (got.name, got.display_name, got.created_at, got.updated_at) == (
        "beta",
        "Beta",
        "t2",
        "t2",
    )
    assert store.projects.get("prj_x") is None
    by = store.projects.by_name("alpha")
    assert by is not None and by.project_id == "prj_a" and by.display_name == ""
    assert store.projects.by_name("nope") is None
    assert [p.project_id for p in store.projects.list_all()] == [
        "prj_c",
        "prj_a",
        "prj_b",
    ]
    with store.tx():
        store.projects.update("prj_b", "beta2", "B2", "t3")
    got = store.projects.get("prj_b")
    assert got is not None
    assert (got.name, got.display_name, got.created_at, got.updated_at) == (
        "beta2",
        "B2",
        "t2",
        "t3",
    )
    assert store.projects.by_name("beta") is None


def test_resources_replace(store: Store) -> None:
    seed.project(store)
    seed.project(store, "prj_2")
    store.projects.set_resources("prj_1", {"b.py": b"B", "a/x.py": b"\x00\xff"})
    store.projects.set_resources("prj_2", {"other.py": b"o"})
    got = store.projects.resources("prj_1")
    assert [(r.project_id, r.path, bytes(r.data)) for r in got] == [
        ("prj_1", "a/x.py", b"\x00\xff"),
        ("prj_1", "b.py", b"B"),
    ]
    store.projects.set_resources("prj_1", {"c.py": b"C"})
    assert [r.path for r in store.projects.resources("prj_1")] == ["c.py"]
    store.projects.set_resources("prj_1", {})
    assert store.projects.resources("prj_1") == []
    assert [r.path for r in store.projects.resources("prj_2")] == ["other.py"]


def test_delete_cascades(store: Store) -> None:
    seed.project(store)
    seed.project(store, "prj_2")
    seed.build(store, "bld_1")
    seed.connection(store, "con_1", "gh")
    seed.trigger(store, "trg_1", connection_id="con_1")
    store.projects.set_resources("prj_1", {"a.py": b"a"})
    seed.build(store, "bld_2", "prj_2")
    with store.tx():
        store.projects.delete("prj_1")
    assert store.projects.get("prj_1") is None
    assert store.builds.get("bld_1") is None
    assert store.connections.get("con_1") is None
    assert store.triggers.get("trg_1") is None
    assert store.projects.resources("prj_1") == []
    assert store.projects.get("prj_2") is not None
    assert store.builds.get("bld_2") is not None


def test_id_by_name_or_id(store: Store) -> None:
    seed.project(store)
    seed.project(store, "prj_2")
    assert store.projects.id_by_name_or_id("name-prj_2") == "prj_2"
    assert store.projects.id_by_name_or_id("prj_1") == "prj_1"
    assert store.projects.id_by_name_or_id("nope") is None
