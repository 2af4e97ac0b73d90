"""An in-process server (test mode) with a real engine and real runner processes."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from akcli.server.state import Server
from tests.engine.inproc import deploy, make_server, start, tar_of

__all__ = ["deploy", "make_server", "start", "tar_of"]


async def wait_final(srv: Server, sid: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = srv.db.one("SELECT * FROM sessions WHERE session_id = ?", sid)
        if row is not None and row["state"] in ("completed", "error", "stopped"):
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"session {sid} not final in {timeout}s")


def log_records(srv: Server, sid: str) -> list[Any]:
    """A session's log records, oldest first."""
    return [
        json.loads(r["record"])
        for r in srv.db.all(
            "SELECT record FROM session_logs WHERE session_id = ? ORDER BY seq", sid
        )
    ]


def prints(srv: Server, sid: str) -> list[str]:
    return [
        r["text"]
        for r in srv.db.all(
            "SELECT text FROM session_prints WHERE session_id = ? ORDER BY id", sid
        )
    ]


@pytest.fixture
def worker_python(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run user code with this interpreter (no venv build in these tests)."""
    import sys

    monkeypatch.setenv("AK_WORKER_PYTHON", sys.executable)
    yield


def run_with_engine(tmp_path: Path, body: Callable[[Server], Awaitable[None]]) -> None:
    """Start a real engine on an in-process test-mode server and run `body`."""

    async def main() -> None:
        srv = make_server(tmp_path)
        await srv.engine.start()
        try:
            await body(srv)
        finally:
            await srv.engine.shutdown()
            srv.db.close()

    asyncio.run(main())
