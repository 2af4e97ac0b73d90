"""``engine: temporal``: a worker that stops answering for longer than the
heartbeat timeout (SIGSTOP: a long GC pause, a swapped-out VM) and then comes
back. Temporal times its run_runner attempt out and schedules a new one, which
may land on that same worker before it learns the old attempt is over: the new
attempt must carry the session on, not leave it RUNNING for ever."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.e2e.test_temporal_engine import (
    STEPS,
    _deploy,
    _start,
    _wait_lines,
    _wait_state,
    _workflow_end,
    temporal,
)
from tests.server import AkServer
from tests.temporal_dev import TemporalDev

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
__all__ = ["temporal"]  # the module-scoped dev server fixture

PAUSES = 2
PAUSE_S = 5.0  # > the 3 s heartbeat timeout of TemporalDev.env()


def test_paused_worker_comes_back_session_completes(
    temporal: TemporalDev, tmp_path: Path
) -> None:
    out = tmp_path / "activities.txt"
    server = AkServer(tmp_path / "home", mode="dev", env=temporal.env("pause"))
    server.start()
    try:
        _deploy(server, tmp_path, "steps", STEPS.format(out=str(out)))
        sid = _start(server, "steps")
        assert server.proc is not None
        for n in range(PAUSES):
            _wait_lines(out, 5 * (n + 1))
            os.kill(server.proc.pid, signal.SIGSTOP)
            time.sleep(PAUSE_S)
            os.kill(server.proc.pid, signal.SIGCONT)
        state = _wait_state(server.db_file, sid, {"completed", "error"}, 120)
        with sqlite3.connect(server.db_file) as conn:
            error, value = conn.execute(
                "SELECT error, return_value FROM sessions WHERE session_id = ?",
                (sid,),
            ).fetchone()
    finally:
        server.stop()
    assert state == "completed", error
    assert value == str(sum(i * i for i in range(30)))
    lines = [int(x) for x in out.read_text().split()]
    assert sorted(set(lines)) == list(range(30))
    repeats = len(lines) - 30
    print(f"{PAUSES} pauses, {repeats} activities re-run")
    # The paused attempt's runner may have one call in flight when it is
    # dropped; the new attempt replays from the journal.
    assert repeats <= PAUSES, f"{repeats} re-runs for {PAUSES} pauses"
    status, names = _workflow_end(temporal, sid)
    assert status == "COMPLETED"
    assert names.count("step") == 30
    assert names.count("run_runner") >= PAUSES + 1  # timed out, scheduled again
