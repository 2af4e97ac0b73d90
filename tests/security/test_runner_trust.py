"""Issue 11 item 10 (the server side): only the session's own runner may talk
on the session's socket.

The socket is in the runtime dir, so any process of the server's user (user
code of another session included, when runners are not isolated) could
connect to it before the real runner and end the session with a forged
outcome, or journal forged activity results. The pool now admits only the
process it spawned (its pid, from SO_PEERCRED).
"""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from akcli.engine.runner_pool import RunnerHandle
from runner import protocol
from tests.unit.runner.helpers import FakeHost, make_pool, make_spec, write_files

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(sys.platform != "linux", reason="SO_PEERCRED is Linux's"),
]


def _impostor(path: str) -> socket.socket:
    """Connect first and claim the session: a forged `done`."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    sock.sendall(protocol.encode(protocol.HELLO, {"pid": 1}))
    done = {"state": "completed", "value": "forged", "error": "", "reason": ""}
    sock.sendall(protocol.encode(protocol.DONE, done))
    return sock


@pytest.mark.parametrize("use_zygote", [True, False])
def test_a_process_that_is_not_the_runner_cannot_claim_the_session(
    tmp_path: Path, use_zygote: bool
) -> None:
    code = write_files(tmp_path, {"main.py": "def main(event):\n    return 'real'\n"})
    socks: list[socket.socket] = []

    async def go() -> Any:
        pool = make_pool(tmp_path, use_zygote=use_zygote)
        real_spawn = pool._spawn

        async def spawn_after_impostor(handle: RunnerHandle, path: str) -> None:
            socks.append(_impostor(path))
            await asyncio.sleep(0.05)  # the impostor's connection is accepted first
            await real_spawn(handle, path)

        pool._spawn = spawn_after_impostor  # type: ignore[method-assign]
        try:
            handle = await pool.start(make_spec(code), FakeHost())
            return await asyncio.wait_for(handle.wait(), 20)
        finally:
            await pool.close()
            for s in socks:
                s.close()

    outcome = asyncio.run(go())
    assert outcome.state == "completed", outcome
    assert outcome.value == "real", outcome
