"""Jira, Linear, Telegram and Twilio receivers on the real server: a good
signature stores the event (with upstream's event type), a bad or missing one
is a 401 and stores nothing, a repeated delivery ID stores nothing new."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from akcli.server.receivers.others import twilio_signature
from tests.e2e.connhelpers import ak, ak_json, events, post
from tests.server import AkServer

pytestmark = pytest.mark.e2e

MANIFEST = """version: v2
project:
  name: rx
  connections:
    - name: jira_conn
      integration: jira
    - name: linear_conn
      integration: linear
    - name: tg
      integration: telegram
    - name: sms
      integration: twilio
    - name: app
      integration: github
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AkServer]:
    tmp = tmp_path_factory.mktemp("rx")
    srv = AkServer(tmp / "home", env={"GITHUB_WEBHOOK_SECRET": "app-s"}).start()
    work: Path = tmp / "work"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(MANIFEST)
    (work / "main.py").write_text("")
    try:
        ak(srv, "deploy", cwd=work)
        yield srv
    finally:
        srv.stop()


def types(server: AkServer) -> list[str]:
    return sorted(e["event_type"] for e in events(server, "rx"))


def test_jira(server: AkServer) -> None:
    ak(server, "connection", "set", "rx/jira_conn", "webhook_secret", input="jira-s\n")
    body = json.dumps(
        {"webhookEvent": "jira:issue_created", "issue": {"key": "K-1"}}
    ).encode()
    sig = "sha256=" + hmac.new(b"jira-s", body, hashlib.sha256).hexdigest()
    url = f"{server.url}/jira/webhook"
    assert post(url, body, {"X-Hub-Signature": "sha256=00"})[0] == 401
    assert post(url, body, {})[0] == 401
    hdrs = {"X-Hub-Signature": sig, "X-Atlassian-Webhook-Identifier": "j1"}
    assert post(url, body, hdrs)[0] == 202
    assert post(url, body, hdrs)[0] == 202
    assert types(server).count("issue_created") == 1


def test_linear(server: AkServer) -> None:
    ak(server, "connection", "set", "rx/linear_conn", "webhook_secret", input="lin-s\n")
    url = f"{server.url}/linear/event"

    def send(stamp_ms: float, secret: bytes = b"lin-s") -> int:
        body = json.dumps(
            {"type": "Issue", "action": "create", "webhookTimestamp": stamp_ms}
        ).encode()
        sig = hmac.new(secret, body, hashlib.sha256).hexdigest()
        return post(url, body, {"Linear-Signature": sig, "Linear-Event": "Issue"})[0]

    now_ms = time.time() * 1000
    assert send(now_ms, b"wrong") == 401
    assert send(now_ms - 120_000) == 401  # outside the 1-minute window
    assert send(now_ms) == 202
    assert types(server).count("issue") == 1


def test_telegram(server: AkServer) -> None:
    conn = ak_json(server, "connection", "get", "rx/tg", "--reveal")["connection"]
    token = next(v["value"] for v in conn["vars"] if v["name"] == "secret_token")
    url = conn["webhook_urls"][0]
    assert url == f"{server.url}/telegram/webhook/{conn['connection_id']}"
    body = json.dumps({"update_id": 5, "message": {"text": "hi"}}).encode()
    assert post(url, body, {"X-Telegram-Bot-Api-Secret-Token": "no"})[0] == 401
    ok = {"X-Telegram-Bot-Api-Secret-Token": token, "Content-Type": "application/json"}
    assert post(url, body, ok)[0] == 200
    assert post(url, body, ok)[0] == 200  # same update_id: stored once
    assert types(server).count("message") == 1


def test_twilio(server: AkServer) -> None:
    ak(
        server,
        "connection",
        "set",
        "rx/sms",
        "AccountSID=AC1",
        "Username=AC1",
        "Password",
        input="auth-token\n",
    )
    form = {"AccountSid": "AC1", "MessageSid": "SM1", "From": "+1555", "Body": "hello"}
    body = urllib.parse.urlencode(form).encode()
    url = f"{server.url}/twilio/message"
    ctype = {"Content-Type": "application/x-www-form-urlencoded"}
    bad = {**ctype, "X-Twilio-Signature": twilio_signature("other", url, form)}
    assert post(url, body, bad)[0] == 401
    good = {**ctype, "X-Twilio-Signature": twilio_signature("auth-token", url, form)}
    assert post(url, body, good)[0] == 200
    [msg] = [
        e
        for e in events(server, "rx")
        if e["event_type"] == "message" and "body" in e["data"]
    ]
    assert msg["data"]["message_sid"] == "SM1" and msg["data"]["body"] == "hello"


def test_github_app_webhook(server: AkServer) -> None:
    ak(server, "connection", "set", "rx/app", "app_id=1", "install_id=42")
    url = f"{server.url}/github/webhook"
    body = json.dumps({"action": "opened", "installation": {"id": 42}}).encode()
    sig = "sha256=" + hmac.new(b"app-s", body, hashlib.sha256).hexdigest()
    hdrs = {"X-Hub-Signature-256": sig, "X-GitHub-Event": "issues"}
    assert post(url, body, {**hdrs, "X-Hub-Signature-256": "sha256=0"})[0] == 401
    assert post(url, body, {**hdrs, "X-GitHub-Delivery": "g1"})[0] == 202
    [issue] = [e for e in events(server, "rx") if e["event_type"] == "issues"]
    assert issue["data"]["slash_commands"] == []
