"""Event sources without a public URL against fake websocket servers on
127.0.0.1: Slack Socket Mode (ack only after the commit, redeliveries stored
once, the bot's own messages dropped, reconnect after a drop, a subscription
on the connection) and the Discord gateway (identify, READY, dispatches)."""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.connhelpers import ak, deploy_sample, wait_sessions
from tests.e2e.fakews import FakeWS, fake_ws
from tests.server import AkServer
from tests.unit.sdk.fakeapi import FakeAPI, serve

pytestmark = pytest.mark.e2e

APP_TOKEN = "xapp-1-APP-TOKEN-secret"
BOT_TOKEN = "xoxb-socket-BOT-secret"
AUTH = [{"user_id": "UBOT", "is_bot": True}]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[AkServer]:
    env = {
        "AK_WORKER_PYTHON": sys.executable,
        "AK_CONNECTIONS__RECONNECT_DELAY": "0.2s",
    }
    srv = AkServer(tmp_path / "home", mode="dev", env=env).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    with serve() as fake:
        yield fake


@pytest.fixture
def ws() -> Iterator[FakeWS]:
    with fake_ws() as fake:
        yield fake


def stored(server: AkServer, sql: str, *args: object) -> list[sqlite3.Row]:
    db = sqlite3.connect(f"file:{server.db_file}?mode=ro", uri=True, timeout=10)
    db.row_factory = sqlite3.Row
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def envelope(eid: str, event_id: str, **event: str) -> dict[str, object]:
    payload = {
        "type": "event_callback",
        "event_id": event_id,
        "authorizations": AUTH,
        "event": {"channel": "C9", **event},
    }
    return {"envelope_id": eid, "type": "events_api", "payload": payload}


def test_socket_mode_flow(
    server: AkServer, api: FakeAPI, ws: FakeWS, tmp_path: Path
) -> None:
    api.route(
        "POST",
        "/api/apps.connections.open",
        lambda _: (200, {"ok": True, "url": ws.url}),
    )
    api.route("POST", "/api/auth.test", (200, {"ok": True}))
    api.route("POST", "/api/chat.postMessage", (200, {"ok": True}))
    deploy_sample(server, "socket_mode", tmp_path)
    ak(
        server,
        "connection",
        "set",
        "socket_mode/slack_conn",
        "private_app_token",
        "private_bot_token",
        f"base_url={api.url}/api/",
        input=f"{APP_TOKEN}\n{BOT_TOKEN}\n",
    )
    assert ws.wait_connection() == 1
    opened = api.requests[0]
    assert (opened.path, opened.headers["authorization"]) == (
        "/api/apps.connections.open",
        f"Bearer {APP_TOKEN}",
    )
    ws.send({"type": "hello"})

    mention = envelope(
        "env-1", "Ev-1", type="app_mention", user="U1", text="hi", ts="100.1"
    )
    ws.send(mention)
    assert ws.recv() == {"envelope_id": "env-1"}
    # The ack came after the commit: the event is in the file already.
    events = stored(server, "SELECT event_type FROM events")
    assert [e["event_type"] for e in events] == ["app_mention"]
    ws.send(mention)  # Slack redelivers an envelope it thinks was lost
    assert ws.recv() == {"envelope_id": "env-1"}
    assert len(stored(server, "SELECT 1 FROM events")) == 1

    deadline = time.monotonic() + 30
    while not stored(server, "SELECT 1 FROM subscriptions WHERE active = 1"):
        assert time.monotonic() < deadline, "the session never subscribed"
        time.sleep(0.1)
    own = envelope(
        "env-2", "Ev-2", type="message", user="UBOT", text="x", thread_ts="100.1"
    )
    ws.send(own)
    assert ws.recv() == {"envelope_id": "env-2"}
    ws.close()  # a dropped socket: the server reconnects
    assert ws.wait_connection() == 2
    reply = envelope(
        "env-3", "Ev-3", type="message", user="U2", text="yes", thread_ts="100.1"
    )
    ws.send(reply)
    assert ws.recv() == {"envelope_id": "env-3"}

    [ses] = wait_sessions(server, "socket_mode", 1)
    assert ses["state"] == "SESSION_STATE_TYPE_COMPLETED", ak(
        server, "session", "log", ses["session_id"]
    )
    post = api.only("POST", "/api/chat.postMessage")
    assert post.json() == {"channel": "C9", "thread_ts": "100.1", "text": "got: yes"}
    types = [
        e["event_type"]
        for e in stored(server, "SELECT event_type FROM events ORDER BY seq")
    ]
    assert types == ["app_mention", "message"]  # the bot's own message was dropped
    assert "thread reply: yes" in ak(server, "session", "prints", ses["session_id"])
    assert APP_TOKEN.encode() not in server.log.read_bytes()


DISCORD = """version: v2
project:
  name: disco
  connections:
    - name: discord_conn
      integration: discord
  triggers:
    - name: on_message
      connection: discord_conn
      event_type: message_create
      call: program.py:on_message
"""


def test_discord_gateway(
    server: AkServer, api: FakeAPI, ws: FakeWS, tmp_path: Path
) -> None:
    api.route("GET", "/gateway/bot", lambda _: (200, {"url": ws.url}))
    work = tmp_path / "disco"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(DISCORD)
    (work / "program.py").write_text(
        "def on_message(event):\n    print('from', event.data.author.username, event.data.content)\n"
    )
    ak(server, "deploy", cwd=work)
    ak(
        server,
        "connection",
        "set",
        "disco/discord_conn",
        "BotToken",
        f"base_url={api.url}",
        input="BOT-T\n",
    )
    ws.wait_connection()
    assert api.only("GET", "/gateway/bot").headers["authorization"] == "Bot BOT-T"
    ws.send({"op": 10, "d": {"heartbeat_interval": 60000}})
    identify = ws.recv()
    assert identify["op"] == 2 and identify["d"]["token"] == "BOT-T"
    ws.send({"op": 0, "s": 1, "t": "READY", "d": {"user": {"id": "B1"}}})
    ws.send(
        {
            "op": 0,
            "s": 2,
            "t": "MESSAGE_CREATE",
            "d": {
                "id": "m0",
                "content": "me",
                "author": {"id": "B1", "username": "bot"},
            },
        }
    )
    ws.send(
        {
            "op": 0,
            "s": 3,
            "t": "MESSAGE_CREATE",
            "d": {
                "id": "m1",
                "content": "ping",
                "channel_id": "c1",
                "author": {"id": "U1", "username": "zumi"},
            },
        }
    )
    [ses] = wait_sessions(server, "disco", 1)
    assert ses["state"] == "SESSION_STATE_TYPE_COMPLETED", ak(
        server, "session", "log", ses["session_id"]
    )
    assert "from zumi ping" in ak(server, "session", "prints", ses["session_id"])
    rows = stored(server, "SELECT event_type FROM events")
    assert [r["event_type"] for r in rows] == ["message_create"]
