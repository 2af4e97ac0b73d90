"""Contract: connections by integration, oldest first, and by project and name."""

from __future__ import annotations

from akcli.store.interface import Store
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


def test_by_name(store: Store) -> None:
    seed.project(store)
    seed.project(store, "prj_2")
    seed.connection(store, "con_1", "gh")
    conn = store.connections.by_name("prj_1", "gh")
    assert conn is not None and (conn.connection_id, conn.integration) == (
        "con_1",
        "github",
    )
    assert store.connections.by_name("prj_2", "gh") is None
    assert store.connections.by_name("prj_1", "nope") is None
