"""`ak session log --timings` and the duration in `ak session get`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_webhooks import ak
from tests.server import AkServer

pytestmark = pytest.mark.e2e

MANIFEST = "version: v1\nproject:\n  name: timed\n"
PROGRAM = """
import time
import autokitteh

@autokitteh.activity
def slow(x):
    time.sleep(0.2)
    return x

def main(event):
    return [slow(1), slow(2), slow(3)]
"""


def test_timings_and_duration(tmp_path: Path) -> None:
    server = AkServer(tmp_path / "home").start()
    work = tmp_path / "work"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(MANIFEST)
    (work / "program.py").write_text(PROGRAM)
    try:
        p = ak(server, work, "deploy")
        assert p.returncode == 0, p.stdout + p.stderr
        p = ak(
            server, work, "session", "start", "-o", "timed", "-p",
            "program.py:main", "-D", "-w", "-t", "30s", "-q",
        )  # fmt: skip
        assert p.returncode == 0, p.stdout + p.stderr
        got = ak(server, work, "session", "get", "timed", "-j")
        sid = json.loads(got.stdout)["session"]["session_id"]
        doc = json.loads(got.stdout)["session"]
        text = ak(server, work, "log", "--timings", sid)
        timings = ak(server, work, "session", "log", "--timings", sid, "-j")
        table = ak(server, work, "session", "log", "--timings", sid)
    finally:
        server.stop()
    assert doc["state"] == "SESSION_STATE_TYPE_COMPLETED"
    assert float(doc["duration"].rstrip("s")) >= 0.6  # three 0.2 s activities
    assert text.returncode != 0  # no such top-level command
    assert timings.returncode == 0, timings.stderr
    items = [json.loads(line) for line in timings.stdout.splitlines()]
    acts, total = items[:-1], items[-1]
    assert [a["seq"] for a in acts] == [1, 2, 3]
    for a in acts:
        assert a["name"] == "slow"
        assert a["execution_ms"] >= 200
        assert a["queue_ms"] >= 0 and a["commit_ms"] > 0
    overhead = sum(a["queue_ms"] + a["commit_ms"] for a in acts)
    assert total["engine_overhead_ms"] == pytest.approx(overhead, abs=0.01)
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["SEQ", "ACTIVITY", "QUEUE_MS", "EXEC_MS", "COMMIT_MS"]
    assert [r.split()[:2] for r in lines[1:4]] == [
        ["1", "slow"],
        ["2", "slow"],
        ["3", "slow"],
    ]
    assert lines[4].startswith("engine overhead: ")
