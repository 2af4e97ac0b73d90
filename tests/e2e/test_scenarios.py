"""Runs every txtar scenario under testdata/: adding a test means adding a file.

`testdata/cli/` cases need no server; `testdata/server/` cases each get a fresh
`ak up --mode test` (sequential IDs, so exact outputs are reproducible).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server import AkServer
from tests.txtar import Scenario

TESTDATA = Path(__file__).resolve().parents[2] / "testdata"
CLI_CASES = sorted((TESTDATA / "cli").glob("*.txtar"))
SERVER_CASES = sorted((TESTDATA / "server").glob("*.txtar"))


@pytest.mark.parametrize("path", CLI_CASES, ids=lambda p: p.stem)
def test_cli_scenario(path: Path, tmp_path: Path) -> None:
    """Scenarios that need no server: config, version, completion, local errors."""
    Scenario(path=path, workdir=tmp_path, env={}).run()


@pytest.mark.e2e
@pytest.mark.parametrize("path", SERVER_CASES, ids=lambda p: p.stem)
def test_server_scenario(path: Path, tmp_path: Path) -> None:
    server = AkServer(tmp_path / "server").start()
    work = tmp_path / "work"
    work.mkdir()
    try:
        Scenario(path=path, workdir=work, env=server.env, url=server.url).run()
    finally:
        server.stop()
