"""Activity retries, timeouts, parallel activities and a saga, on the samples in
testdata/samples/{retry,parallel,saga}, with a real `ak up` killed with -9 at
the interesting moments (as tests/e2e/test_kill_durable.py), and the same
samples under plain `python` (no server)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, run_ak
from tests.engine.conftest import deploy, make_server, start
from tests.server import AkServer

pytestmark = pytest.mark.e2e
SAMPLES = REPO / "testdata" / "samples"
SAGA = ["book A", "book B", "fail C", "undo B", "undo A"]


class Run:
    """A sample's session written into the DB, then run by a real `ak up`."""

    def __init__(self, tmp: Path, sample: str, entry: str, env: dict[str, str]) -> None:
        self.server = AkServer(tmp / "home", mode="dev")
        self.db_file = self.server.db_file
        srv = make_server(tmp / "seed", self.db_file)
        code = (SAMPLES / sample / "program.py").read_text()
        ids = deploy(srv, {"program.py": code})
        with srv.db.tx():
            for name, value in env.items():
                srv.db.exec(
                    "INSERT INTO vars (scope_id, name, value) VALUES (?, ?, ?)",
                    ids[0],
                    name,
                    value,
                )
        self.sid = start(srv, ids, f"program.py:{entry}", durable=True)
        srv.db.close()

    def query(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db_file) as conn:
            return list(conn.execute(sql.replace("$sid", repr(self.sid))))

    def state(self) -> str:
        rows = self.query("SELECT state FROM sessions WHERE session_id = $sid")
        return str(rows[0][0]) if rows else ""

    def wait(self, cond: Callable[[], bool], what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.02)

    def wait_final(self) -> tuple[str, str]:
        self.wait(lambda: self.state() in ("completed", "error", "stopped"), "end")
        state, error = self.query(
            "SELECT state, error FROM sessions WHERE session_id = $sid"
        )[0]
        return str(state), str(error)

    def journal(self) -> list[tuple[object, ...]]:
        return self.query(
            "SELECT seq, name, is_error FROM journal WHERE session_id = $sid ORDER BY seq"
        )

    def prints(self) -> list[str]:
        return [
            str(r[0])
            for r in self.query(
                "SELECT text FROM session_prints WHERE session_id = $sid ORDER BY id"
            )
        ]

    def log(self) -> list[str]:
        r = run_ak("session", "log", self.sid, "--no-timestamps", env=self.server.env)
        assert r.exit_code == 0, r.stderr
        return r.stdout.splitlines()


def plain(sample: str, *args: str, env: dict[str, str]) -> list[str]:
    """Run a sample with plain python (the SDK from runner/ on the path)."""
    p = subprocess.run(
        [sys.executable, str(SAMPLES / sample / "program.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env, "PYTHONPATH": str(REPO / "runner")},
    )
    assert p.returncode == 0, p.stderr
    return p.stdout.splitlines()


def test_retry_kill9_during_backoff(tmp_path: Path) -> None:
    out = tmp_path / "attempts.txt"
    run = Run(tmp_path, "retry", "main", {"SIDE_EFFECTS": str(out), "BACKOFF": "1"})
    run.server.start()
    try:
        # seq 4 is the durable timer after the second failed attempt (2 s).
        run.wait(lambda: len(run.journal()) >= 4, "the second backoff timer")
        run.server.kill9()
        assert out.read_text().split("\n")[:-1] == ["fetch 1", "fetch 2"]
        run.server.start()
        state, error = run.wait_final()
        assert state == "completed", error
        log = run.log()
    finally:
        run.server.stop()
    # The third attempt ran once after the restart; the first two did not re-run.
    assert out.read_text().split("\n")[:-1] == ["fetch 1", "fetch 2", "fetch 3"]
    assert [(r[1], r[2]) for r in run.journal()] == [
        ("flaky_fetch", 1),
        ("sleep", 0),
        ("flaky_fetch", 1),
        ("sleep", 0),
        ("flaky_fetch", 0),
    ]
    assert run.prints() == ["fetched https://example.com/data on attempt 3"]
    done = [line for line in log if line.startswith("Call Attempt Complete")]
    url = "https://example.com/data"
    assert done == [
        f"Call Attempt Complete: #1 (attempt 1, error: ConnectionError("
        f"'attempt 1: {url} unreachable'))",
        f"Call Attempt Complete: #3 (attempt 2, error: ConnectionError("
        f"'attempt 2: {url} unreachable'))",
        "Call Attempt Complete: #5 (attempt 3)",
    ]
    side = tmp_path / "plain.txt"
    assert plain("retry", env={"SIDE_EFFECTS": str(side), "BACKOFF": "0.1"}) == (
        run.prints()
    )


def test_parallel_kill9_after_six_committed(tmp_path: Path) -> None:
    out, gate = tmp_path / "effects.txt", tmp_path / "gate"
    env = {"SIDE_EFFECTS": str(out), "GATE_FILE": str(gate)}
    run = Run(tmp_path, "parallel", "main", env)
    run.server.start()
    try:
        # seq 1 is time.monotonic(), seqs 2..11 the ten calls in argument order;
        # calls 6..9 wait for the gate, so exactly 0..5 commit.
        run.wait(lambda: len(run.journal()) >= 7, "six committed calls")
        time.sleep(0.3)  # a seventh commit would show up now
        assert [r[0] for r in run.journal()] == list(range(1, 8))
        run.server.kill9()
        # The orphaned runner notices the lost server within a second and
        # exits; only then may the waiting calls go on (in the new runner).
        time.sleep(2)
        before = out.read_text().splitlines()
        gate.touch()
        run.server.start()
        state, error = run.wait_final()
        assert state == "completed", error
    finally:
        run.server.stop()
    assert sorted(before) == sorted(
        [f"start {i}" for i in range(10)] + [f"done {i}" for i in range(6)]
    )
    after = out.read_text().splitlines()[len(before) :]
    assert sorted(after) == sorted(
        [f"start {i}" for i in range(6, 10)] + [f"done {i}" for i in range(6, 10)]
    ), "a committed call ran again, or an uncommitted one did not"
    squares = [i * i for i in range(10)]
    assert run.prints() == [f"squares: {squares}"]
    assert plain("parallel", env={"SIDE_EFFECTS": str(tmp_path / "p.txt")})[-1] == (
        "gather: [9, 4]"
    )


def test_parallel_ten_calls_run_concurrently(tmp_path: Path) -> None:
    run = Run(tmp_path, "parallel", "main", {"SIDE_EFFECTS": str(tmp_path / "e")})
    run.server.start()
    try:
        state, error = run.wait_final()
        value = run.query("SELECT return_value FROM sessions WHERE session_id = $sid")
    finally:
        run.server.stop()
    assert state == "completed", error
    result = json.loads(str(value[0][0]))
    assert result["squares"] == [i * i for i in range(10)]
    print(f"10 x 200 ms activities via parallel_map: {result['elapsed']} s")
    assert result["elapsed"] < 2.0, "the calls ran one after another"
    lines = plain("parallel", env={"SIDE_EFFECTS": str(tmp_path / "p.txt")})
    assert lines[0] == run.prints()[0]


def test_timeout_without_and_with_retries(tmp_path: Path) -> None:
    out = tmp_path / "attempts.txt"
    run = Run(tmp_path / "a", "retry", "hang_once", {"SIDE_EFFECTS": str(out)})
    run.server.start()
    try:
        t0 = time.monotonic()
        run.wait(lambda: bool(run.journal()), "the first attempt to start")
        state, error = run.wait_final()
        print(
            f"hanging activity with timeout=1: ERROR after {time.monotonic() - t0:.2f} s"
        )
    finally:
        run.server.stop()
    assert state == "error"
    assert error.startswith(
        "error: ActivityTimeout(\"activity 'hang' timed out after 1 s\")"
    ), error
    assert out.read_text() == "hang 1\n"

    run = Run(tmp_path / "b", "retry", "hang_then_ok", {"SIDE_EFFECTS": str(out)})
    run.server.start()
    try:
        state, error = run.wait_final()
    finally:
        run.server.stop()
    assert state == "completed", error
    assert run.prints() == ["second attempt returned"]
    assert [(r[1], r[2]) for r in run.journal()] == [
        ("slow_then_fast", 1),
        ("sleep", 0),
        ("slow_then_fast", 0),
    ]


def test_saga_kill9_during_compensation(tmp_path: Path) -> None:
    run = Run(tmp_path, "saga", "main", {"UNDO_DELAY": "2"})
    run.server.start()
    try:
        run.wait(lambda: "undo B" in run.prints(), "undo B to start")
        run.server.kill9()
        assert run.prints() == SAGA[:4]
        run.server.start()
        state, error = run.wait_final()
    finally:
        run.server.stop()
    assert state == "completed", error
    assert run.prints() == SAGA
    assert plain("saga", env={}) == [*SAGA, "rolled back: no availability for C"]


DEFAULTS_MANIFEST = """
version: v1
project:
  name: defaults
  pythonrt:
    activity_retry: {retries: 3, initial_interval: 0.05}
  triggers:
    - name: project_default
      type: webhook
      call: program.py:main
    - name: own_default
      type: webhook
      call: program.py:main
      activity_retry: 1
"""

DEFAULTS_PROGRAM = """
import autokitteh

@autokitteh.activity
def down():
    raise ConnectionError("down")

def main(event):
    try:
        down()
    except autokitteh.RetriesExhausted as e:
        print(f"{e.attempts} attempts")
"""


def test_manifest_activity_retry_defaults(tmp_path: Path) -> None:
    from tests.e2e.test_sdk_samples import Env, request, wait_session

    work = tmp_path / "defaults"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(DEFAULTS_MANIFEST)
    (work / "program.py").write_text(DEFAULTS_PROGRAM)
    server = AkServer(tmp_path / "srv", mode="dev").start()
    try:
        env = Env(server, tmp_path)
        r = run_ak("deploy", cwd=work, env=server.env)
        assert r.exit_code == 0, r.stderr
        got: dict[str, list[str]] = {}
        seen: set[str] = set()
        for n, trigger in enumerate(["project_default", "own_default"], 1):
            assert request(env.url("defaults", trigger), "POST", b"")[0] == 202
            wait_session(env, "defaults", n)
            (sid,) = {str(s["session_id"]) for s in env.sessions("defaults")} - seen
            seen.add(sid)
            env.wait_done(sid)
            got[trigger] = env.prints(sid)
    finally:
        server.stop()
    assert got == {"project_default": ["4 attempts"], "own_default": ["2 attempts"]}
