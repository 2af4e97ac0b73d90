"""A durable session whose code changes under it: the recorded-vs-now table.

The session runs 3 activities and sleeps; the server is killed -9 while it
sleeps, its build's archive is replaced by code that calls another function at
seq 2, and the restarted server replays it: the session ends ERROR with a table
naming both calls, their sites and source lines. The journal rows carry the
call sites, args hashes and timings.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.engine.conftest import deploy, make_server, start, tar_of
from tests.server import AkServer

pytestmark = pytest.mark.e2e

PROGRAM = """
import time
import autokitteh

@autokitteh.activity
def one(x):
    return x

@autokitteh.activity
def two(x):
    return x * 2

@autokitteh.activity
def other(x):
    return x * 3

def main(event):
    a = one(1)
    b = two(a)
    c = one(b)
    time.sleep(SLEEP)
    return a + b + c
"""


def program(sleep: float, changed: bool = False) -> str:
    text = PROGRAM.replace("SLEEP", repr(sleep))
    return text.replace("b = two(a)", "b = other(a)") if changed else text


def _row(db_file: Path, sql: str, *args: object) -> tuple[object, ...]:
    with sqlite3.connect(db_file) as conn:
        row = conn.execute(sql, args).fetchone()
    return tuple(row) if row else ()


def _wait(db_file: Path, sid: str, states: tuple[str, ...]) -> str:
    deadline = time.monotonic() + 30
    while True:
        row = _row(db_file, "SELECT state FROM sessions WHERE session_id = ?", sid)
        if row and row[0] in states:
            return str(row[0])
        assert time.monotonic() < deadline, f"session still {row}"
        time.sleep(0.05)


def _journal_len(db_file: Path, sid: str) -> int:
    row = _row(db_file, "SELECT COUNT(*) FROM journal WHERE session_id = ?", sid)
    return int(row[0])  # type: ignore[call-overload]


def test_changed_build_ends_error_with_table(tmp_path: Path) -> None:
    server = AkServer(
        tmp_path / "home", mode="dev", env={"AK_WORKER_PYTHON": sys.executable}
    )
    db_file = server.db_file
    srv = make_server(tmp_path / "seed", db_file)
    ids = deploy(srv, {"main.py": program(30)})
    sid = start(srv, ids, "main.py:main", durable=True)
    srv.db.close()

    server.start()
    try:
        deadline = time.monotonic() + 30
        while _journal_len(db_file, sid) < 4:  # 3 activities and the sleep
            assert time.monotonic() < deadline, "no sleep journaled"
            time.sleep(0.05)
        server.kill9()  # the worst moment for the replay: mid-sleep

        rows = (
            sqlite3.connect(db_file)
            .execute(
                "SELECT seq, name, site, args_hash, queue_s, exec_s FROM journal"
                " WHERE session_id = ? ORDER BY seq",
                (sid,),
            )
            .fetchall()
        )
        assert [r[1] for r in rows] == ["one", "two", "one", "sleep"]
        site = json.loads(rows[1][2])
        assert site == ["main.py", 19, "main", "b = two(a)"]
        assert rows[0][3] == rows[1][3] != rows[2][3]  # one(1), two(1), one(2)
        assert all(r[4] is not None and r[5] is not None for r in rows[:3])

        with sqlite3.connect(db_file) as conn:  # the build replaced for the test
            conn.execute(
                "UPDATE builds SET archive = ? WHERE build_id = ?",
                (tar_of({"main.py": program(30, changed=True)}), ids[1]),
            )
        server.start()
        assert _wait(db_file, sid, ("completed", "error", "stopped")) == "error"
        error = str(
            _row(db_file, "SELECT error FROM sessions WHERE session_id = ?", sid)[0]
        )
    finally:
        server.stop()

    table = error.split("\n\n", 1)[0].splitlines()
    assert table[0].split() == ["recorded", "now"]
    assert table[1].split() == ["seq", "2", "2"]
    assert table[2].split() == ["call", "two", "other"]
    assert table[3].split() == [
        "site",
        "main.py:19",
        "in",
        "main",
        "main.py:19",
        "in",
        "main",
    ]
    assert table[4].split()[:2] == ["args", "hash"]
    assert table[4].split()[2] == table[4].split()[3]  # the same argument
    assert table[5].split() == ["source", "b", "=", "two(a)", "b", "=", "other(a)"]
    assert "NonDeterminismError" in error


def test_redeploy_keeps_session_on_its_build(tmp_path: Path) -> None:
    """The same change, deployed normally: the sleeping session resumes on its
    own build after a kill -9 and completes; its build cannot be deleted."""
    server = AkServer(
        tmp_path / "home", mode="dev", env={"AK_WORKER_PYTHON": sys.executable}
    )
    db_file = server.db_file
    srv = make_server(tmp_path / "seed", db_file)
    ids = deploy(srv, {"main.py": program(1.5)})
    sid = start(srv, ids, "main.py:main", durable=True)
    srv.db.close()
    server.start()
    try:
        deadline = time.monotonic() + 30
        while _journal_len(db_file, sid) < 4:
            assert time.monotonic() < deadline, "no sleep journaled"
            time.sleep(0.05)
        server.kill9()
        with sqlite3.connect(db_file) as conn:  # a new build, deployed
            conn.execute("UPDATE deployments SET state = 'DEPLOYMENT_STATE_INACTIVE'")
            conn.execute(
                "INSERT INTO builds VALUES ('bld_new', ?, 'BUILD_STATUS_SUCCESS',"
                " '', ?, '2026-01-01T00:00:00Z')",
                (ids[0], tar_of({"main.py": program(1.5, changed=True)})),
            )
            conn.execute(
                "INSERT INTO deployments VALUES ('dep_new', ?, 'bld_new',"
                " 'DEPLOYMENT_STATE_ACTIVE', '2026-01-01T00:00:00Z',"
                " '2026-01-01T00:00:00Z')",
                (ids[0],),
            )
            conn.execute("DELETE FROM deployments WHERE deployment_id = ?", (ids[2],))
        server.start()
        p = subprocess.run(
            [sys.executable, "-m", "akcli", "build", "delete", ids[1]],
            env={**os.environ, **server.env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert _wait(db_file, sid, ("completed", "error", "stopped")) == "completed"
    finally:
        server.stop()
    assert p.returncode != 0 and f"used by session {sid}" in p.stderr, p.stderr
    row = _row(
        db_file, "SELECT build_id, return_value FROM sessions WHERE session_id = ?", sid
    )
    assert row == (ids[1], "5")  # 1 + 2 + 2, on its own build
