"""Contract: only a published store value is public; the SDK store's values
per project: put replaces the value and keeps the published flag, keys are
sorted, delete drops one key."""

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


def test_put_get_keys_publish_delete(store: Store) -> None:
    with store.tx():
        store.values.put("prj_1", "b", {"n": 1})
        store.values.put("prj_1", "a", [1])
        store.values.put("prj_2", "c", "other")
    assert store.values.keys("prj_1") == ["a", "b"]
    got = store.values.get("prj_1", "b")
    assert got is not None
    assert (got.project_id, got.key, got.value, got.published) == (
        "prj_1",
        "b",
        {"n": 1},
        False,
    )
    assert store.values.get("prj_2", "b") is None
    with store.tx():
        store.values.set_published("prj_1", "b", True)
        store.values.put("prj_1", "b", None)  # a new value, still published
    got = store.values.get("prj_1", "b")
    assert got is not None and (got.value, got.published) == (None, True)
    with store.tx():
        store.values.set_published("prj_1", "b", False)
        store.values.delete("prj_1", "a")
    got = store.values.get("prj_1", "b")
    assert got is not None and not got.published
    assert store.values.keys("prj_1") == ["b"]
    assert store.values.keys("prj_2") == ["c"]
