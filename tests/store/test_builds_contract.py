"""Contract: a build's archive bytes."""

from __future__ import annotations

from akcli.store.interface import Store
from tests.store import seed


def test_archive(store: Store) -> None:
    seed.project(store)
    seed.build(store, "bld_1", archive=b"\x00tar\xff")
    assert store.builds.archive("bld_1") == b"\x00tar\xff"
    assert store.builds.archive("bld_x") is None
