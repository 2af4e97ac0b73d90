"""A stop accepted, then kill -9 of the server before the session reached the
activity boundary where it stops: the stop is stored (`stop_requests`), so the
resumed session still ends STOPPED instead of running on to completion."""

from __future__ import annotations

import pytest

from tests.faults.conftest import Env

pytestmark = pytest.mark.faults

PROGRAM = """
import time

import autokitteh


@autokitteh.activity
def slow():
    print("in slow")
    time.sleep(4)


@autokitteh.activity
def after():
    print("after")


def main(event):
    slow()
    after()
    return "ran to the end"
"""

MANIFEST = """version: v1
project:
  name: ds
"""


def test_stop_then_kill9_still_stops(env: Env) -> None:
    env.deploy("ds", {"autokitteh.yaml": MANIFEST, "program.py": PROGRAM})
    sid = env.start("ds", "program.py:main", "-D")
    env.wait_print(sid, "in slow")
    env.ok("session", "stop", sid, "-r", "enough")
    env.server.kill9()  # the slow activity is still sleeping: not stopped yet
    with env.db() as db:
        state = db.execute(
            "SELECT state FROM sessions WHERE session_id = ?", (sid,)
        ).fetchone()[0]
    assert state == "running"
    env.server.start()
    row = env.wait_final(sid, 60)
    assert row["state"] == "stopped", (row["state"], row["return_value"])
    assert row["stop_reason"] == "enough"
