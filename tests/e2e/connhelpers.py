"""Signed integration deliveries and polling helpers for the connection tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from tests.conftest import REPO, run_ak
from tests.server import AkServer

SAMPLES = REPO / "testdata" / "connections"


def ak(
    server: AkServer, *args: str, input: str | None = None, cwd: Path | None = None
) -> str:
    r = run_ak(*args, env=server.env, input=input, cwd=cwd)
    assert r.exit_code == 0, r.stdout + r.stderr
    return r.stdout + r.stderr


def ak_json(server: AkServer, *args: str) -> Any:
    return json.loads(ak(server, "-j", *args).splitlines()[0])


def deploy_sample(server: AkServer, sample: str, tmp: Path) -> str:
    work = tmp / sample
    shutil.copytree(SAMPLES / sample, work)
    r = run_ak("deploy", cwd=work, env=server.env)
    assert r.exit_code == 0, r.stdout + r.stderr
    return r.stdout + r.stderr


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def slack_headers(secret: str, body: bytes, ts: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    mac = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + mac.hexdigest(),
    }


def slash_body(**fields: str) -> bytes:
    base = {
        "team_id": "T1",
        "channel_id": "C42",
        "user_id": "U7",
        "command": "/greet",
        "text": "world",
        "response_url": "http://127.0.0.1:9/hook",
        "trigger_id": "tr1",
    }
    return urllib.parse.urlencode({**base, **fields}).encode()


def github_headers(
    secret: str, body: bytes, event: str, delivery: str
) -> dict[str, str]:
    mac = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "X-Hub-Signature-256": "sha256=" + mac,
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "Content-Type": "application/json",
    }


def sessions(server: AkServer, project: str) -> list[dict[str, Any]]:
    out = run_ak("-j", "session", "list", "-p", project, env=server.env).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def events(server: AkServer, project: str) -> list[dict[str, Any]]:
    out = run_ak("-j", "event", "list", "-p", project, env=server.env).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def wait_sessions(
    server: AkServer, project: str, n: int, timeout: float = 60
) -> list[dict[str, Any]]:
    """Wait until `n` sessions of the project have ended; returns them all."""
    deadline = time.monotonic() + timeout
    while True:
        got = sessions(server, project)
        done = [
            s
            for s in got
            if s.get("state")
            in ("SESSION_STATE_TYPE_COMPLETED", "SESSION_STATE_TYPE_ERROR")
        ]
        if len(done) >= n or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]
