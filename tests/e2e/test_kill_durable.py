"""Durability: kill -9 the server again and again while a durable session runs.

Each activity appends its index to a file outside the project. After 20 kills at
random points and a final restart, the session completes; every index is in the
file, and an index appears twice only when it was the activity in flight at a
kill (at-least-once for that one, never for journaled ones). Prints are stored
once each.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from tests.engine.conftest import deploy, make_server, start
from tests.server import AkServer

pytestmark = pytest.mark.e2e

PROGRAM = """
import time
import autokitteh

OUT = {out!r}

@autokitteh.activity
def step(i):
    with open(OUT, "a") as f:
        f.write(f"{{i}}\\n")
    time.sleep(0.15)
    return i * i

def main(event):
    total = 0
    for i in range(50):
        total += step(i)
        print(f"done {{i}}")
    return total
"""

KILLS = 20


def test_kill9_loop_no_activity_twice(tmp_path: Path) -> None:
    out = tmp_path / "activities.txt"
    server = AkServer(
        tmp_path / "home", mode="dev", env={"AK_WORKER_PYTHON": sys.executable}
    )
    db_file = server.db_file
    srv = make_server(tmp_path / "seed", db_file)
    ids = deploy(srv, {"main.py": PROGRAM.format(out=str(out))})
    sid = start(srv, ids, "main.py:main", durable=True)
    srv.db.close()

    rng = random.Random(1234)
    kills = 0
    for _ in range(KILLS):
        server.start()
        time.sleep(rng.uniform(0.05, 0.4))
        server.kill9()
        kills += 1
        if _state(db_file, sid) == "completed":
            break
    server.start()
    try:
        deadline = time.monotonic() + 60
        while _state(db_file, sid) not in ("completed", "error", "stopped"):
            assert time.monotonic() < deadline, "session did not finish"
            time.sleep(0.1)
    finally:
        server.stop()

    with sqlite3.connect(db_file) as conn:
        state, error, value = conn.execute(
            "SELECT state, error, return_value FROM sessions WHERE session_id = ?",
            (sid,),
        ).fetchone()
        printed = [
            r[0]
            for r in conn.execute(
                "SELECT text FROM session_prints WHERE session_id = ? ORDER BY id",
                (sid,),
            )
        ]
    assert state == "completed", error
    assert value == str(sum(i * i for i in range(50)))
    assert printed == [f"done {i}" for i in range(50)]  # no print stored twice

    lines = [int(x) for x in out.read_text().split()]
    assert sorted(set(lines)) == list(range(50))
    assert lines == sorted(lines), "activities ran out of order"
    assert kills == KILLS, f"the session finished after {kills} kills"
    repeats = len(lines) - 50
    print(f"{kills} kills, {repeats} activities re-run (in flight at a kill)")
    assert repeats <= kills, (
        f"{repeats} re-runs for {kills} kills: a journaled activity ran twice"
    )


def _state(db_file: Path, sid: str) -> str:
    with sqlite3.connect(db_file) as conn:
        row = conn.execute(
            "SELECT state FROM sessions WHERE session_id = ?", (sid,)
        ).fetchone()
    return str(row[0]) if row else ""
