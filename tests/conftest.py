"""Fixtures shared by all test layers: tmp XDG homes, CLI runner, real `ak` runs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

if TYPE_CHECKING:
    from tests.pg import PgServer

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def xdg_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point every XDG home at a fresh tmp dir: no test touches the real home."""
    home = tmp_path_factory.mktemp("xdg")
    for var in (
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
        "XDG_RUNTIME_DIR",
    ):
        monkeypatch.setenv(var, str(home / var.lower()))
    for var in list(os.environ):
        if var.startswith("AK_"):
            monkeypatch.delenv(var)
    return home


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


class Cli:
    """In-process CLI calls via CliRunner (stdout and stderr kept apart)."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        from akcli.main import app

        r = self.runner.invoke(app, list(args), input=input)
        if r.exception and not isinstance(r.exception, SystemExit):
            raise r.exception
        return Result(r.exit_code, r.stdout, r.stderr)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def run_ak(
    *args: str,
    input: str | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> Result:
    """Run the real `ak` program as a subprocess."""
    p = subprocess.run(
        [sys.executable, "-m", "akcli", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
    return Result(p.returncode, p.stdout, p.stderr)


@pytest.fixture
def ak() -> Iterator[object]:
    yield run_ak


@pytest.fixture
def ak_server(tmp_path: Path) -> Iterator[object]:
    """A real `ak up --mode test` on a free port, stopped after the test."""
    from tests.server import AkServer

    server = AkServer(tmp_path / "server").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL server for this test run (tests/pg.py), or a skip
    saying why there is none."""
    from tests.pg import PgServer, missing_reason

    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    server = PgServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_dsn(pg_server: PgServer) -> str:
    """The test PostgreSQL's maintenance database (tests take `pg_fresh_dsn`)."""
    return pg_server.dsn("postgres")


@pytest.fixture
def pg_fresh_dsn(pg_server: PgServer) -> str:
    """The DSN of a new, empty database on the test PostgreSQL (one per test)."""
    return pg_server.fresh_database()
