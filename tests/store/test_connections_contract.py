"""Contract: a connection is found by its project and name."""

from __future__ import annotations

from akcli.store.interface import Store
from tests.store import seed


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
