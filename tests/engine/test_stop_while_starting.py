"""`ak session stop` of a session whose runner is still starting (unpacking its
build, spawning) is kept and applied once the runner is up, not dropped: the
session ends STOPPED with the reason asked, graceful or forced."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from akcli.server.state import Server
from tests.engine.conftest import deploy, prints, run_with_engine, start, wait_final

HANDLER = """\
import time


def main(event):
    print("started")
    time.sleep(60)
    print("not reached")
"""


@pytest.mark.parametrize("force", [False, True], ids=["graceful", "forced"])
@pytest.mark.parametrize("durable", [False, True], ids=["nondurable", "durable"])
def test_stop_while_the_runner_starts(
    tmp_path: Path, worker_python: None, force: bool, durable: bool
) -> None:
    async def body(srv: Server) -> None:
        runner = srv.engine.runner
        gate = asyncio.Event()
        real_prepare = runner.prepare

        async def slow_prepare(build_id: str) -> Any:
            await gate.wait()  # the runner is "starting" until the gate opens
            return await real_prepare(build_id)

        runner.prepare = slow_prepare  # type: ignore[method-assign]
        ids = deploy(srv, {"main.py": HANDLER})
        sid = start(srv, ids, "main.py:main", durable=durable)
        deadline = time.monotonic() + 10
        while sid not in runner.tasks:
            assert time.monotonic() < deadline, "session never started"
            await asyncio.sleep(0.01)
        assert sid not in runner.handles  # still starting
        await srv.engine.stop_session(sid, "changed my mind", force=force)
        gate.set()
        row = await wait_final(srv, sid, 20)
        assert row["state"] == "stopped", dict(row)
        assert row["stop_reason"] == "changed my mind"
        assert "not reached" not in prints(srv, sid)

    run_with_engine(tmp_path, body)
