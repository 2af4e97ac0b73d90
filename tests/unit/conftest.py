"""Unit-test fixtures: an in-process test-mode server with an in-memory store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from akcli.config import Config
from akcli.ids import IdGen
from akcli.paths import Paths
from akcli.secrets import Cipher
from akcli.server.state import Server
from akcli.store.db import Database


@pytest.fixture
def srv(tmp_path: Path) -> Iterator[Server]:
    """Services called directly (no HTTP, no engine); sequential test-mode IDs."""
    paths = Paths(tmp_path / "cfg", tmp_path / "data", tmp_path / "cache")
    server = Server(
        mode="test",
        config=Config(paths=paths, overrides={}),
        paths=paths,
        db=Database(None),
        ids=IdGen(sequential=True),
        cipher=Cipher(tmp_path / "secret.key"),
        service_url="http://127.0.0.1:9",
    )
    yield server
    server.db.close()
