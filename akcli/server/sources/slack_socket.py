"""Slack Socket Mode: `apps.connections.open` with the app-level token, then a
websocket of envelopes. Each envelope is stored (its event ID, else the
envelope ID, as the delivery ID) and only then acknowledged, so an envelope
Slack redelivers after a crash is stored once.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from typing import Any

from websockets.asyncio.client import connect

from akcli.server.receivers.common import Conn, connections, store
from akcli.server.receivers.slack import events_api
from akcli.server.state import Server

DEFAULT_BASE = "https://slack.com/api/"


def _conn(srv: Server, cid: str) -> Conn:
    found = [c for c in connections(srv, "slack") if c.id == cid]
    if not found:
        raise LookupError("connection deleted")
    return found[0]


def open_url(base: str, app_token: str) -> str:
    """The websocket URL from `apps.connections.open` (a blocking call)."""
    req = urllib.request.Request(
        base.rstrip("/") + "/apps.connections.open",
        data=b"",
        headers={
            "Authorization": f"Bearer {app_token}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=20) as r:
        body = json.load(r)
    if not body.get("ok") or not body.get("url"):
        raise ConnectionError(f"apps.connections.open: {body.get('error', 'failed')}")
    return str(body["url"])


def envelope_event(
    msg: dict[str, Any],
) -> tuple[tuple[str, dict[str, Any]] | None, str]:
    """`((event_type, data) or None to drop, delivery ID)` of one envelope."""
    payload = msg.get("payload") or {}
    envelope = str(msg.get("envelope_id") or "")
    kind = msg.get("type")
    if kind == "events_api":
        return events_api(payload), str(payload.get("event_id") or envelope)
    if kind == "slash_commands":
        return ("slash_command", dict(payload)), envelope
    if kind == "interactive":
        return ("interaction", dict(payload)), envelope
    return None, envelope


async def run(srv: Server, cid: str) -> None:
    conn = _conn(srv, cid)
    base = conn.vals.get("base_url") or DEFAULT_BASE
    url = await asyncio.to_thread(open_url, base, conn.vals["private_app_token"])
    async with connect(url, max_size=8 << 20) as ws:
        async for raw in ws:
            msg = json.loads(raw)
            kind = msg.get("type")
            if kind == "disconnect":
                return
            if kind == "hello" or not isinstance(msg, dict):
                continue
            got, delivery = envelope_event(msg)
            if got is not None:
                store(srv, _conn(srv, cid), [got], delivery)  # committed here
            if msg.get("envelope_id"):
                await ws.send(json.dumps({"envelope_id": msg["envelope_id"]}))
