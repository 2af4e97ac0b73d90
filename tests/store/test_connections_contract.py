"""Contract: connections by integration, oldest first; by ID and name,
listing filters, integration changes and delete."""

from __future__ import annotations

from akcli.store.interface import Store
from akcli.store.interface.connections import ConnectionRow
from tests.store import seed


def test_of_integration(store: Store) -> None:
    with store.tx():
        store.projects.create("prj_1", "p", "t0")
    seed.integration_connection(store, "con_2", "prj_1", "slack", "t2")
    seed.integration_connection(store, "con_1", "prj_1", "slack", "t1")
    seed.integration_connection(store, "con_3", "prj_1", "github", "t3")
    got = store.connections.of_integration("slack")
    assert [(c.connection_id, c.integration, c.project_id) for c in got] == [
        ("con_1", "slack", "prj_1"),
        ("con_2", "slack", "prj_1"),
    ]
    assert store.connections.of_integration("jira") == []


def test_create_get_by_name_find(store: Store) -> None:
    seed.project(store)
    seed.project(store, "prj_2")
    seed.connection(store, "con_b", "b", integration="slack", t="t2")
    seed.connection(store, "con_a", "a", integration="github", t="t2")
    seed.connection(store, "con_0", "z", integration="slack", t="t1")
    seed.connection(store, "con_x", "a", "prj_2", integration="slack", t="t0")
    assert store.connections.get("con_a") == ConnectionRow(
        "con_a", "prj_1", "a", "github", "t2", "t2"
    )
    assert store.connections.get("con_nope") is None
    by = store.connections.by_name("prj_2", "a")
    assert by is not None and by.connection_id == "con_x"
    assert store.connections.by_name("prj_1", "nope") is None

    def ids(rows: list[ConnectionRow]) -> list[str]:
        return [r.connection_id for r in rows]

    assert ids(store.connections.find()) == ["con_x", "con_0", "con_a", "con_b"]
    assert ids(store.connections.find("prj_1")) == ["con_0", "con_a", "con_b"]
    assert ids(store.connections.find(integration="slack")) == [
        "con_x",
        "con_0",
        "con_b",
    ]
    assert ids(store.connections.find("prj_1", "slack")) == ["con_0", "con_b"]
    assert store.connections.find("prj_3") == []


def test_set_integration_and_delete(store: Store) -> None:
    seed.project(store)
    seed.connection(store, "con_1", "c")
    seed.connection(store, "con_2", "d")
    with store.tx():
        store.connections.set_integration("con_1", "slack", "t9")
    got = store.connections.get("con_1")
    assert got is not None
    assert (got.integration, got.created_at, got.updated_at) == ("slack", seed.T0, "t9")
    with store.tx():
        store.connections.delete("con_1")
    assert store.connections.get("con_1") is None
    assert store.connections.get("con_2") is not None
