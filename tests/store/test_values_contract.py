"""Contract: only a published store value is public."""

from __future__ import annotations

from akcli.store.interface import Store
from tests.store import seed


def test_published(store: Store) -> None:
    seed.value(store, "prj_1", "pub", {"a": [1, 2]}, True)
    seed.value(store, "prj_1", "priv", 3, False)
    got = store.values.published("prj_1", "pub")
    assert got is not None
    assert (got.project_id, got.key, got.value, got.published) == (
        "prj_1",
        "pub",
        {"a": [1, 2]},
        True,
    )
    assert store.values.published("prj_1", "priv") is None
    assert store.values.published("prj_2", "pub") is None
    assert store.values.published("prj_1", "nope") is None
