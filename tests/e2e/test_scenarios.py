"""Runs every txtar scenario under testdata/: adding a test means adding a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.txtar import Scenario

TESTDATA = Path(__file__).resolve().parents[2] / "testdata"
CLI_CASES = sorted((TESTDATA / "cli").glob("*.txtar"))


@pytest.mark.parametrize("path", CLI_CASES, ids=lambda p: p.stem)
def test_cli_scenario(path: Path, tmp_path: Path) -> None:
    """Scenarios that need no server: config, version, completion, local errors."""
    Scenario(path=path, workdir=tmp_path, env={}).run()
