"""The SDK for long-running workflows, on the bundled samples, with the real
server and real runners: subscriptions, sync webhooks, signals, the store."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, run_ak
from tests.server import AkServer

pytestmark = pytest.mark.e2e
SAMPLES = REPO / "testdata" / "samples"


class Env:
    def __init__(self, server: AkServer, tmp: Path) -> None:
        self.server, self.tmp = server, tmp

    def ak(self, *args: str) -> str:
        r = run_ak(*args, env=self.server.env)
        assert r.exit_code == 0, r.stderr
        return r.stdout

    def deploy(self, sample: str) -> None:
        work = self.tmp / sample
        shutil.copytree(SAMPLES / sample, work)
        r = run_ak("deploy", cwd=work, env=self.server.env)
        assert r.exit_code == 0, r.stderr

    def url(self, project: str, trigger: str) -> str:
        out = self.ak("trigger", "get", trigger, "-p", project, "-j")
        return str(json.loads(out)["trigger"]["webhook_url"])

    def sessions(self, project: str) -> list[dict[str, object]]:
        out = self.ak("session", "list", "-p", project, "-j")
        return [json.loads(line) for line in out.splitlines() if line]

    def wait_done(self, sid: str, timeout: str = "60s") -> None:
        run_ak(
            "session",
            "watch",
            sid,
            "--no-fail",
            "-q",
            "-t",
            timeout,
            env=self.server.env,
        )

    def prints(self, sid: str) -> list[str]:
        return self.ak("session", "prints", sid, "-n").splitlines()


def request(
    url: str, method: str = "GET", body: bytes | None = None, timeout: float = 60
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return (
                resp.status,
                {k.lower(): v for k, v in resp.headers.items()},
                resp.read(),
            )
    except urllib.error.HTTPError as e:
        with e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def wait_session(env: Env, project: str, n: int = 1) -> str:
    for _ in range(200):
        roots = [s for s in env.sessions(project) if not s.get("parent_session_id")]
        if len(roots) >= n:
            return str(
                roots[-1]["session_id"]
            )  # the oldest session started by an event
        time.sleep(0.05)
    raise AssertionError("no session started")


def wait_print(env: Env, sid: str, text: str) -> None:
    r = run_ak(
        "session", "prints", sid, "-t", "-r", text, "-n", env=env.server.env, timeout=60
    )
    assert text in r.stdout, r.stdout + r.stderr


@pytest.fixture
def env(tmp_path: Path) -> object:
    server = AkServer(
        tmp_path / "srv",
        mode="dev",
        extra=["-C", "webhooks.webhook_response_timeout=3s"],
    ).start()
    try:
        yield Env(server, tmp_path)
    finally:
        server.stop()


def test_meow_woof_subscription(env: Env) -> None:
    env.deploy("events")
    meow, woof = env.url("events", "meow"), env.url("events", "woof")
    assert request(meow)[0] == 202
    sid = wait_session(env, "events")
    wait_print(env, sid, "waiting for a woof")
    assert request(woof + "/meow", "POST", b"not me")[0] == 202  # filter says no
    time.sleep(0.5)
    assert env.ak("session", "get", sid, "-j").count("SESSION_STATE_TYPE_RUNNING") == 1
    assert request(woof + "/woof", "POST", b"bark")[0] == 202
    env.wait_done(sid)
    assert env.prints(sid) == [
        "waiting for a woof",
        "woof! POST /webhooks/" + woof.rsplit("/", 1)[1] + "/woof body='bark'",
    ]


def test_meow_timeout_branch(env: Env) -> None:
    env.deploy("events")
    env.ak("var", "set", "-p", "events", "TIMEOUT", "1")
    assert request(env.url("events", "meow"))[0] == 202
    sid = wait_session(env, "events")
    env.wait_done(sid)
    assert env.prints(sid) == ["waiting for a woof", "timeout: no woof"]


def test_meow_woof_survives_kill9_while_waiting(env: Env) -> None:
    env.deploy("events")
    env.ak("var", "set", "-p", "events", "TIMEOUT", "60")
    meow, woof = env.url("events", "meow"), env.url("events", "woof")
    assert request(meow)[0] == 202
    sid = wait_session(env, "events")
    wait_print(env, sid, "waiting for a woof")
    env.server.kill9()
    env.server.start()
    woof = woof.replace(woof.split("/webhooks/")[0], env.server.url)
    assert request(woof + "/woof", "POST", b"after restart")[0] == 202
    env.wait_done(sid)
    assert env.prints(sid) == [
        "waiting for a woof",
        "woof! POST /webhooks/" + woof.rsplit("/", 1)[1] + "/woof body='after restart'",
    ]
    state = env.ak("session", "get", sid, "-j")
    assert "SESSION_STATE_TYPE_COMPLETED" in state


def test_sync_webhook_outcome_504_502(env: Env) -> None:
    env.deploy("sync_webhook")
    status, headers, body = request(env.url("sync_webhook", "cat"))
    assert status == 299
    assert json.loads(body) == {"cat": "meow"}
    assert headers.get("x-cat") == "purr"
    assert headers.get("content-type", "").startswith("application/json")
    t = time.monotonic()
    assert request(env.url("sync_webhook", "slow"))[0] == 504
    assert time.monotonic() - t < 20
    assert (
        request(env.url("sync_webhook", "posts_only"))[0] == 502
    )  # GET starts nothing
    assert request(env.url("sync_webhook", "posts_only"), "POST", b"x")[0] == 299
    status, _, body = request(env.url("sync_webhook", "stream"))  # more=True streams
    assert (status, body) == (200, b"first chunk\nlast chunk\n")


def test_ping_pong_parent_child(env: Env) -> None:
    env.deploy("ping_pong")
    assert request(env.url("ping_pong", "play"), "POST")[0] == 202
    sid = wait_session(env, "ping_pong")
    env.wait_done(sid, "90s")
    assert env.prints(sid) == [
        "parent got ping 0",
        "parent got ping 1",
        "parent got ping 2",
        "child finished: {'completed': True, 'value': 'game over'}",
    ]


def test_store_counter_20_concurrent_webhooks(env: Env) -> None:
    env.deploy("store")
    url = env.url("store", "visit")
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(request(url, "POST")[0]))
        for _ in range(20)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert statuses == [202] * 20
    for _ in range(400):
        with sqlite3.connect(env.server.db_file) as conn:
            done = conn.execute(
                "SELECT COUNT(*) FROM sessions WHERE state = 'completed'"
            ).fetchone()[0]
        if done == 20:
            break
        time.sleep(0.1)
    assert done == 20
    pid = json.loads(env.ak("project", "get", "store", "-j"))["project"]["project_id"]
    status, _, body = request(f"{env.server.url}/store/{pid}/visits")
    assert (status, json.loads(body)) == (200, 20)
    assert request(f"{env.server.url}/store/{pid}/nope")[0] == 404
    assert request(f"{env.server.url}/store/bad/visits")[0] == 400
