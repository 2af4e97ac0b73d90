"""`ak session stop` sent to a worker that does not run the session: the stop
is stored and the owner (another `ak up` on the same PostgreSQL) applies it."""

from __future__ import annotations

import secrets
import sys
import time
from pathlib import Path

import pytest

from tests import pg
from tests.server import AkServer

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

PROGRAM = """
import time

import autokitteh


@autokitteh.activity
def step(i):
    print(f"step {i}")
    time.sleep(0.2)


def main(event):
    for i in range(300):
        step(i)
    return "ran to the end"
"""


def _one(dsn: str, sql: str, *args: object) -> tuple[object, ...] | None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(sql, args).fetchone()


def test_stop_reaches_the_owner(tmp_path: Path) -> None:
    reason = pg.missing_reason()
    if reason:
        pytest.skip(reason)
    server = pg.PgServer()
    server.start()
    workers: list[AkServer] = []
    try:
        dsn = server.fresh_database()
        env = {
            "AK_HTTP__TOKEN": secrets.token_urlsafe(24),
            "AK_DB__TYPE": "postgres",
            "AK_DB__DSN": dsn,
            "AK_WORKERS__HEARTBEAT_INTERVAL": "300ms",
            "AK_WORKER_PYTHON": sys.executable,
        }
        workers = [AkServer(tmp_path / f"w{i}", mode="dev", env=env) for i in (0, 1)]
        for w in workers:
            w.start(timeout=90)
        proj = tmp_path / "proj"
        proj.mkdir()
        (proj / "autokitteh.yaml").write_text("version: v1\nproject:\n  name: st\n")
        (proj / "program.py").write_text(PROGRAM)
        workers[0].ak("deploy", cwd=proj)
        out = workers[0].ak(
            "session", "start", "-o", "st", "-p", "program.py:main", "-D"
        )
        sid = next(w for w in out.split() if w.startswith("ses_"))
        deadline = time.monotonic() + 60
        owner = ""
        while time.monotonic() < deadline:
            row = _one(
                dsn,
                "SELECT s.owner FROM sessions s WHERE s.session_id = %s AND EXISTS"
                " (SELECT 1 FROM session_prints p WHERE p.session_id = s.session_id)",
                sid,
            )
            if row and row[0]:
                owner = str(row[0])
                break
            time.sleep(0.1)
        assert owner, "the session never ran"
        pids = [w.proc.pid for w in workers if w.proc is not None]
        running_on = [i for i, pid in enumerate(pids) if f"-{pid}-" in owner]
        assert len(running_on) == 1, (owner, pids)
        other = workers[1 - running_on[0]]
        other.ak("session", "stop", sid, "-r", "from the other worker")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            row = _one(
                dsn,
                "SELECT state, stop_reason FROM sessions WHERE session_id = %s",
                sid,
            )
            assert row is not None
            if row[0] in ("completed", "error", "stopped"):
                break
            time.sleep(0.2)
        assert row == ("stopped", "from the other worker")
    finally:
        for w in workers:
            w.stop()
        server.stop()
