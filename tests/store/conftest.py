"""The store contract: every backend runs these same tests (SQLite today;
a PostgreSQL backend adds itself to BACKENDS)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from akcli.store.db import Database
from akcli.store.interface import Store
from akcli.store.sqlite import SqliteStore


def _sqlite(tmp: Path) -> Store:
    return SqliteStore(Database(tmp / "ak.sqlite"))


BACKENDS: dict[str, Callable[[Path], Store]] = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = BACKENDS[request.param](tmp_path)
    yield s
    s.close()
