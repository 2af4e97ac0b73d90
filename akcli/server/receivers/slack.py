"""Slack's HTTP receivers: `/slack/event`, `/slack/command`, `/slack/interaction`.

Every request carries `X-Slack-Signature` = `v0=` + hex HMAC-SHA256 of
`v0:<timestamp>:<body>` with the app's signing secret (connection var
`private_signing_secret`, else env SLACK_SIGNING_SECRET) and a timestamp within
±5 minutes. The event goes to every Slack connection whose secret verifies it;
none → 401, nothing stored. The shapes below are shared with Socket Mode.
"""

from __future__ import annotations

import json
import os
import time
import urllib.parse
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from akcli.server.receivers.common import (
    UNAUTHORIZED,
    Conn,
    Reject,
    connections,
    hmac_hex,
    read_body,
    same,
    store_all,
)
from akcli.server.state import Server

WINDOW = 300  # seconds either side of now

# Zero values upstream keeps (filters such as `data.thread_ts == ''` rely on them).
_MESSAGE_FIELDS = (
    "type",
    "subtype",
    "channel",
    "channel_type",
    "user",
    "text",
    "ts",
    "thread_ts",
    "parent_user_id",
    "event_ts",
    "bot_id",
    "team",
    "client_msg_id",
)


def verified(srv: Server, request: Request, body: bytes) -> list[Conn]:
    ts = request.headers.get("x-slack-request-timestamp", "")
    sig = request.headers.get("x-slack-signature", "")
    if not ts or not sig or not ts.lstrip("-").isdigit():
        raise Reject(401, UNAUTHORIZED)
    if abs(time.time() - int(ts)) > WINDOW:
        raise Reject(401, UNAUTHORIZED)
    base = f"v0:{ts}:".encode() + body
    env_secret = os.environ.get("SLACK_SIGNING_SECRET", "")
    out = []
    for c in connections(srv, "slack"):
        secret = c.vals.get("private_signing_secret") or env_secret
        if secret and same(sig, "v0=" + hmac_hex(secret, base)):
            out.append(c)
    if not out:
        raise Reject(401, UNAUTHORIZED)
    return out


def events_api(payload: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """`(event_type, data)` of an `event_callback`; None for the bot's own events."""
    event = payload.get("event")
    if not isinstance(event, dict):
        return None
    bots = {
        a.get("user_id")
        for a in payload.get("authorizations") or []
        if isinstance(a, dict) and a.get("is_bot")
    }
    if event.get("user") and event.get("user") in bots:
        return None
    app_id = payload.get("api_app_id")
    profile = event.get("bot_profile") or {}
    if app_id and isinstance(profile, dict) and profile.get("app_id") == app_id:
        return None
    event_type = str(event.get("type") or "")
    data = dict(event)
    if event_type == "message":
        for key in _MESSAGE_FIELDS:
            data.setdefault(key, "")
    return event_type, data


def form_fields(body: bytes) -> dict[str, str]:
    pairs = urllib.parse.parse_qsl(
        body.decode("utf-8", "replace"), keep_blank_values=True
    )
    return dict(pairs)


def interaction(fields: dict[str, str]) -> dict[str, Any]:
    try:
        payload = json.loads(fields.get("payload", ""))
    except ValueError:
        raise Reject(400, "invalid interaction payload") from None
    if not isinstance(payload, dict):
        raise Reject(400, "invalid interaction payload")
    return payload


async def handle(srv: Server, request: Request) -> Response:
    kind = request.url.path.rsplit("/", 1)[1]
    try:
        body = await read_body(srv, request)
        conns = verified(srv, request, body)
        if kind == "event":
            try:
                payload = json.loads(body)
            except ValueError:
                raise Reject(400, "invalid JSON") from None
            if payload.get("type") == "url_verification":
                return JSONResponse({"challenge": payload.get("challenge", "")})
            got = events_api(payload)
            if got is None:
                return Response(status_code=200)
            delivery = str(payload.get("event_id") or "")
            failed = store_all(srv, conns, [got], delivery)
        elif kind == "command":
            failed = store_all(srv, conns, [("slash_command", form_fields(body))])
        else:
            data = interaction(form_fields(body))
            failed = store_all(srv, conns, [("interaction", data)])
    except Reject as r:
        return r.response()
    return failed or Response(status_code=200)
