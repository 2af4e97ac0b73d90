"""`ak session` output a script reads: pure JSON lists, pages, log records, prints
of load errors (issue 12), against the real server and engine."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.test_sessions_cli import Env, _sid
from tests.server import AkServer

pytestmark = pytest.mark.e2e

QUICK = "def main(event):\n    print('hi')\n"

DURABLE = """\
import time

import autokitteh


@autokitteh.activity
def slow(n):
    time.sleep(0.2)  # inside an activity: a real sleep
    return n


def main(event):
    autokitteh.set_value("k", 1)
    time.sleep(0.1)  # a durable timer
    slow(2)
"""


@pytest.fixture
def env(ak_server: AkServer, tmp_path: Path) -> Env:
    return Env(ak_server, tmp_path)


def test_list_is_pure_json_with_pages(env: Env) -> None:
    did = env.deploy("pages", {"main.py": QUICK})
    sids = [
        _sid(env.ak("session", "start", "-d", did, "-p", "main.py:main"))
        for _ in range(3)
    ]
    for sid in sids:
        assert env.wait_final(sid) == "COMPLETED"

    r = env.ak("session", "list", "-p", "pages", "--page-size", "2", "-j")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [json.loads(line)["session_id"] for line in lines] == sids[::-1][:2]
    assert r.stderr.strip() == "next-page-token: 2"
    r = env.ak(
        "session",
        "list",
        "-p",
        "pages",
        "--page-size",
        "2",
        "-j",
        "--next-page-token",
        "2",
    )
    assert [json.loads(x)["session_id"] for x in r.stdout.splitlines()] == sids[:1]
    assert "next-page-token" not in r.stdout + r.stderr

    r = env.ak(
        "session", "list", "-p", "pages", "--page-size", "1", "-j", "--array_json_list"
    )
    data = json.loads(r.stdout)
    assert isinstance(data, list) and [s["session_id"] for s in data] == sids[-1:]
    r = env.ak("session", "list", "-p", "pages", "--page-size", "1")
    assert r.stdout.splitlines()[-1] == "next-page-token: 1"  # text: a final line
    assert len(r.stdout.splitlines()) == 2

    r = env.ak("session", "log", sids[0], "-n", "-j", "--array_json_list")
    records = json.loads(r.stdout)
    assert records[0] == {"state": {"created": {}}}
    r = env.ak("session", "prints", sids[0], "-n", "-j", "--array_json_list")
    assert json.loads(r.stdout) == [{"v": "hi"}]


def test_log_shows_sdk_calls_and_activity_start_times(env: Env) -> None:
    did = env.deploy("calls", {"main.py": DURABLE})
    sid = _sid(env.ak("session", "start", "-d", did, "-p", "main.py:main", "-D"))
    assert env.wait_final(sid) == "COMPLETED"
    r = env.ak("session", "log", sid, "-j", "--page-size", "100")
    records = [json.loads(line) for line in r.stdout.splitlines()]
    sdk = [rec["sdk_call"] for rec in records if "sdk_call" in rec]
    assert [(c["op"], c["seq"]) for c in sdk] == [("store", 1), ("sleep", 2)]
    assert sdk[0]["args"]["op"] == "'set'" and sdk[1]["args"] == {"seconds": "0.1"}
    done = [rec["sdk_call_complete"] for rec in records if "sdk_call_complete" in rec]
    assert done == [{"seq": 1, "is_error": False}, {"seq": 2, "is_error": False}]
    specs = [rec for rec in records if "call_spec" in rec]
    assert [rec["call_spec"]["function"]["name"] for rec in specs] == ["slow"]
    # The slow activity's call spec is timed at its start: 0.2 s before its end.
    complete = next(rec for rec in records if "call_attempt_complete" in rec)
    assert specs[0]["t"] < complete["t"]
    r = env.ak("session", "log", sid, "--page-size", "100")
    assert re.search(r"SDK Call: sleep\(seconds=0\.1\)", r.stdout), r.stdout
    assert "SDK Call Complete: #2\n" in r.stdout
    assert "Call Spec: slow(2)" in r.stdout


def test_prints_of_a_missing_package(env: Env) -> None:
    did = env.deploy(
        "missing", {"main.py": "import no_such_pkg_xyz\n\ndef main(e):\n    pass\n"}
    )
    sid = _sid(env.ak("session", "start", "-d", did, "-p", "main.py:main"))
    assert env.wait_final(sid) == "ERROR"
    r = env.ak("session", "prints", sid, "-n")
    assert r.stdout.startswith(
        "rpc error: code = InvalidArgument desc = can't load main from "
    )
    assert "The below error means you need to add a package" in r.stdout
    assert (
        "error: ModuleNotFoundError(\"No module named 'no_such_pkg_xyz'\")" in r.stdout
    )
    tb = r.stdout[r.stdout.index("Traceback") :]
    assert tb.splitlines()[1] == '  File "main.py", line 1, in <module>'
    assert "/tmp" not in tb and "<frozen" not in tb
    assert env.session(sid)["error"].rstrip("\n") == r.stdout.rstrip("\n")
