"""The store contract: every backend runs these same tests (SQLite, and
PostgreSQL on a server tests/pg.py starts: skipped, saying why, without one)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from akcli.store.db import Database
from akcli.store.interface import Store
from akcli.store.sqlite import SqliteStore


def _sqlite(request: pytest.FixtureRequest, tmp: Path) -> Store:
    return SqliteStore(Database(tmp / "ak.sqlite"))


def _postgres(request: pytest.FixtureRequest, tmp: Path) -> Store:
    from akcli.store.postgres import PostgresStore
    from akcli.store.postgres.db import PgDatabase

    return PostgresStore(PgDatabase(request.getfixturevalue("pg_fresh_dsn")))


BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], Store]] = {
    "sqlite": _sqlite,
    "postgres": _postgres,
}


@pytest.fixture(params=sorted(BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = BACKENDS[request.param](request, tmp_path)
    yield s
    s.close()
