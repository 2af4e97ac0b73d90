"""`ak session` against the real server: sessions started with `ak session start`
on a deployment made through the projects/builds/deployments RPCs, run by the
real engine."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest

from akcli.client import Client
from tests.conftest import Result, run_ak
from tests.server import AkServer

pytestmark = pytest.mark.e2e

MAIN = """\
import time

def main(event):
    print("hello", event.data["x"])
    print("multi\\nline")
    return 42

def boom(event):
    print("going to fail")
    raise ValueError(1, 2)

def slow(event):
    print("started")
    while True:
        time.sleep(0.1)
"""


class Env:
    def __init__(self, server: AkServer, tmp: Path) -> None:
        self.server = server
        self.tmp = tmp
        self.client = Client(url=server.url, token=server.token)

    def ak(self, *args: str) -> Result:
        return run_ak(*args, cwd=self.tmp, env=self.server.env)

    def deploy(self, project: str, files: dict[str, str]) -> str:
        self.client.call("projects", "Create", {"project": {"name": project}})
        resources = {n: base64.b64encode(b.encode()).decode() for n, b in files.items()}
        self.client.call(
            "projects",
            "SetResources",
            {"project_id": project, "resources": resources},
        )
        bid = self.client.call("builds", "Build", {"project_id": project})["build_id"]
        body = {"deployment": {"build_id": bid}}
        did = str(self.client.call("deployments", "Create", body)["deployment_id"])
        self.client.call("deployments", "Activate", {"deployment_id": did})
        return did

    def session(self, sid: str) -> dict[str, Any]:
        r = self.ak("session", "get", sid, "-j")
        assert r.exit_code == 0, r.stderr
        return dict(json.loads(r.stdout)["session"])

    def wait_final(self, sid: str, timeout: float = 30) -> str:
        """The final state; skips the test if the engine never picks it up."""
        deadline = time.monotonic() + timeout
        started = time.monotonic()
        while time.monotonic() < deadline:
            state = str(self.session(sid)["state"]).removeprefix("SESSION_STATE_TYPE_")
            if state in ("COMPLETED", "ERROR", "STOPPED"):
                return state
            if state == "CREATED" and time.monotonic() - started > 10:
                pytest.skip("the engine does not run sessions (CREATED after 10 s)")
            time.sleep(0.1)
        raise AssertionError(f"session {sid} did not end in {timeout}s")


@pytest.fixture
def env(ak_server: AkServer, tmp_path: Path) -> Env:
    return Env(ak_server, tmp_path)


def _sid(r: Result) -> str:
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("session_id: ses_")
    return r.stdout.split()[-1]


def test_start_get_prints_log_list(env: Env) -> None:
    did = env.deploy("p1", {"main.py": MAIN})
    sid = _sid(
        env.ak(
            "session",
            "start",
            "-d",
            did,
            "-p",
            "main.py:main",
            "-I",
            "x=1",
            "-m",
            "k=v",
        )
    )
    assert env.wait_final(sid) == "COMPLETED"
    ses = env.session("p1")  # a project name means its latest session
    assert ses["session_id"] == sid and ses["deployment_id"] == did
    assert ses["entrypoint"] == {"path": "main.py", "name": "main"}
    assert ses["inputs"] == {"x": 1} and ses["memo"] == {"k": "v"}
    assert ses["return_value"] == 42

    r = env.ak("session", "prints", sid, "-n")
    assert (r.exit_code, r.stdout) == (0, "hello 1\nmulti\nline\n")
    r = env.ak("session", "prints", "p1")
    assert r.stdout.startswith("[20") and " +0000 UTC] hello 1\n" in r.stdout

    r = env.ak("session", "log", sid, "-n", "-j")
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert records[0] == {"state": {"created": {}}}
    assert records[-1] == {"state": {"completed": {"return_value": 42}}}
    assert all("print" not in rec for rec in records)
    r = env.ak("session", "log", sid)
    assert r.stdout.splitlines()[0].endswith("Z] State: CREATED")

    r = env.ak("session", "ls", "-j")
    assert [json.loads(line)["session_id"] for line in r.stdout.splitlines()] == [sid]
    assert "inputs" not in r.stdout
    assert '"inputs"' in env.ak("session", "ls", "-j", "-i").stdout
    assert env.ak("session", "ls", "-s", "error").stdout == ""
    assert env.ak("session", "ls", "-s", "error", "-f").exit_code == 44


def test_start_with_project_watch_error_rc1(env: Env) -> None:
    env.deploy("p1", {"main.py": MAIN})
    r = env.ak("session", "start", "-o", "p1", "-p", "main.py:boom", "-w", "-n")
    assert r.exit_code == 1
    assert "Print: going to fail" in r.stdout
    assert "State: ERROR: error: ValueError(1, 2)" in r.stdout
    assert r.stderr.startswith("Error: session ses_") and "ended ERROR" in r.stderr
    sid = r.stdout.splitlines()[0].split()[-1]
    assert env.ak("session", "watch", sid, "--no-fail", "-q").exit_code == 0
    assert "ValueError" in env.session(sid)["error"]


def test_stop_running_session(env: Env) -> None:
    env.deploy("p1", {"main.py": MAIN})
    sid = _sid(env.ak("session", "start", "-o", "p1", "-p", "main.py:slow"))
    r = env.ak("session", "prints", sid, "-t", "-r", "started", "-n")
    assert (r.exit_code, r.stdout) == (0, "started\n")
    r = env.ak("session", "delete", sid)
    assert r.exit_code == 42 and "stop it first" in r.stderr
    assert env.ak("session", "stop", sid, "-r", "test", "-f").exit_code == 0
    assert "Stop Request: test" in env.ak("session", "log", sid, "-n").stdout
    r = env.ak("session", "watch", sid, "-t", "10s")
    assert r.exit_code == 1 and "ended STOPPED" in r.stderr
    assert env.ak("session", "stop", sid).exit_code == 0  # ended: a silent no-op
    assert env.ak("session", "watch", sid, "--no-fail", "-q").exit_code == 0


def test_restart_delete(env: Env) -> None:
    env.deploy("p1", {"main.py": MAIN})
    sid = _sid(
        env.ak("session", "start", "-o", "p1", "-p", "main.py:main", "-I", "x=3")
    )
    assert env.wait_final(sid) == "COMPLETED"
    assert env.ak("session", "stop", sid).exit_code == 0  # ended: a silent no-op
    new = _sid(env.ak("session", "restart", "p1"))
    assert new != sid and env.wait_final(new) == "COMPLETED"
    old_s, new_s = env.session(sid), env.session(new)
    for key in ("entrypoint", "inputs", "deployment_id", "build_id"):
        assert new_s[key] == old_s[key]
    assert env.ak("session", "prints", new, "-n").stdout == "hello 3\nmulti\nline\n"

    r = env.ak("session", "d", sid)
    assert r.exit_code == 0 and r.stdout.startswith(f'session: session_id:"{sid}"')
    assert env.ak("session", "get", sid).stdout == ""
    assert env.ak("session", "delete", sid).exit_code == 0
    assert env.ak("session", "delete", sid, "-f").exit_code == 44


def test_resolve_errors_and_start_errors(env: Env) -> None:
    env.client.call("projects", "Create", {"project": {"name": "empty"}})
    r = env.ak("session", "get", "bad-name")
    assert (r.exit_code, r.stderr) == (40, 'Error: invalid project "bad-name"\n')
    assert env.ak("session", "get", "nosuch").exit_code == 44
    r = env.ak("session", "log", "empty")
    assert r.exit_code == 44 and "sessions not found" in r.stderr
    r = env.ak("session", "start", "-o", "empty", "-p", "main.py:main")
    assert (r.exit_code, r.stderr) == (1, "Error: no active deployments found\n")
    r = env.ak("session", "get", "ses_00000000000000000000000099", "-f")
    assert (r.exit_code, r.stderr) == (44, "Error: session: not_found\n")


def test_download_logs(env: Env) -> None:
    env.deploy("p1", {"main.py": MAIN})
    sid = _sid(
        env.ak("session", "start", "-o", "p1", "-p", "main.py:main", "-I", "x=2")
    )
    env.wait_final(sid)
    out = env.tmp / "logs.txt"
    r = env.ak("session", "download-logs", sid, "-o", str(out))
    assert r.stdout == f"Logs written to {out}\n"
    lines = out.read_text().splitlines()
    assert lines[0].endswith("]:  hello 2") and lines[0].startswith("[20")
    assert lines[1].endswith("]:  multi") and lines[2] == " " * 24 + "line"


SESSION_TEST = """\
hello
world
-- main.py:main --
import autokitteh
import foo

@autokitteh.activity
def a(x):
    return x + 1

def main(event):
    print("hello")
    a(1)
    foo.w()
-- foo.py --
def w():
    print("world")
-- calls.txt --
a
"""


def test_session_test_pass_and_fail(env: Env) -> None:
    f = env.tmp / "simple.txtar"
    f.write_text(SESSION_TEST)
    for flags in ([], ["-D"]):
        r = env.ak("session", "test", str(f), "-p", "tst", *flags)
        if r.exit_code != 0 and "CREATED" in r.stderr:
            pytest.skip("the engine does not run sessions")
        assert r.exit_code == 0, r.stdout + r.stderr
        assert r.stdout.startswith(f"PASS {f} (")
    bad = env.tmp / "bad.txtar"
    bad.write_text(SESSION_TEST.replace("world\n-- main", "there\n-- main"))
    r = env.ak("session", "test", str(bad), "-p", "tst", "-q")
    assert r.exit_code == 1
    assert (
        r.stdout
        == "prints mismatch:\n--- want\n+++ got\n@@ -1,2 +1,2 @@\n hello\n-there\n+world\n"
    )
    assert "session test" in r.stderr and "failed" in r.stderr
