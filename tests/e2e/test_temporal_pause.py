"""``engine: temporal``: a worker that stops answering for longer than the
heartbeat timeout (SIGSTOP: a long GC pause, a swapped-out VM) and then comes
back. Temporal times its run_runner attempt out and schedules a new one, which
may land on that same worker before it learns the old attempt is over: the new
attempt must carry the session on, not leave it RUNNING for ever."""

from __future__ import annotations

import os
import secrets
import signal
import time
from pathlib import Path

import pytest

from tests import pg
from tests.e2e.test_temporal_engine import (
    STEPS,
    _deploy,
    _session_end,
    _start,
    _wait_lines,
    _workflow_end,
)
from tests.server import AkServer
from tests.temporal_dev import TemporalDev

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

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
        state, error, value = _session_end(server.db_file, sid, 120)
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


def test_paused_worker_cannot_commit_after_its_successor(
    temporal: TemporalDev, tmp_path: Path
) -> None:
    """Two workers on one PostgreSQL. Worker A runs the session and is paused
    past the heartbeat timeout, with its runner's call done but not yet
    committed; worker B takes the new run_runner attempt and replays. When A
    comes back, its commit of that call is refused (B holds the run epoch):
    A's runner is dropped, no journaled call runs again, the session ends once,
    completed by B."""
    reason = pg.missing_reason()
    if reason:
        pytest.skip(reason)
    db = pg.PgServer()
    db.start()
    out = tmp_path / "activities.txt"
    env = {
        **temporal.env("split"),
        "AK_HTTP__TOKEN": secrets.token_urlsafe(24),
        "AK_DB__TYPE": "postgres",
        "AK_DB__DSN": db.fresh_database(),
    }
    a = AkServer(tmp_path / "a", mode="dev", env=env)
    b = AkServer(tmp_path / "b", mode="dev", env=env)
    try:
        from cryptography.fernet import Fernet

        key = Fernet.generate_key()  # one secret key for both workers
        for w in (a, b):
            home = w.home / "xdg_config_home" / "autokitteh"
            home.mkdir(parents=True)
            (home / "secret.key").write_bytes(key)
            (home / "secret.key").chmod(0o600)
        a.start(timeout=90)
        _deploy(a, tmp_path, "steps", STEPS.format(out=str(out)))
        sid = _start(a, "steps")  # only A polls Temporal: A runs it
        _wait_lines(out, 5)
        b.start(timeout=90)
        assert a.proc is not None
        os.kill(a.proc.pid, signal.SIGSTOP)
        try:
            _wait_lines(out, 12)  # B took over and goes on
        finally:
            os.kill(a.proc.pid, signal.SIGCONT)
        state = _wait_pg_state(env["AK_DB__DSN"], sid, 120)
        rows = _pg(
            env["AK_DB__DSN"],
            "SELECT seq FROM journal WHERE session_id = %s AND name LIKE '%%step%%'",
            sid,
        )
    finally:
        a.stop()
        b.stop()
        db.stop()
    assert state == "completed"
    assert len(rows) == 30
    lines = [int(x) for x in out.read_text().split()]
    assert sorted(set(lines)) == list(range(30))
    repeats = len(lines) - 30
    superseded = a.log.read_text().count("superseded")
    print(f"{repeats} activities re-run, A refused {superseded} times")
    assert repeats <= 1, lines  # only A's call in flight at the pause
    status, names = _workflow_end(temporal, sid)
    assert status == "COMPLETED"
    assert names.count("step") == 30


def _pg(dsn: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return list(conn.execute(sql, args).fetchall())


def _wait_pg_state(dsn: str, sid: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        [(state,)] = _pg(dsn, "SELECT state FROM sessions WHERE session_id = %s", sid)
        if state not in ("created", "running") or time.monotonic() > deadline:
            return str(state)
        time.sleep(0.2)
