"""Receivers of Jira, Linear, Telegram and Twilio (spec/integrations.md).

Each finds the connection(s) whose secret verifies the request; a missing or
wrong signature is a 401 and nothing is stored.
- Jira `/jira/webhook`: `X-Hub-Signature: sha256=<hex>` with `webhook_secret`;
  event type `webhookEvent` without `jira:`.
- Linear `/linear/event`: `Linear-Signature` = hex HMAC-SHA256 with
  `webhook_secret`, `webhookTimestamp` (ms) within 1 minute; type `Linear-Event`.
- Telegram `/telegram/webhook/<connection id>`: `X-Telegram-Bot-Api-Secret-Token`
  equals the generated `secret_token`; type = the update's first key.
- Twilio `/twilio/message`: `X-Twilio-Signature` = base64 HMAC-SHA1 of the URL
  plus the sorted form pairs, with the auth token `Password`; type `message`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.parse
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from akcli.server.receivers.common import (
    UNAUTHORIZED,
    Reject,
    connections,
    read_body,
    same,
    signed_by,
    store_all,
)
from akcli.server.state import Server


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        raise Reject(400, "invalid JSON") from None
    if not isinstance(data, dict):
        raise Reject(400, "expected a JSON object")
    return data


async def jira(srv: Server, request: Request) -> Response:
    try:
        body = await read_body(srv, request)
        sig = request.headers.get("x-hub-signature", "")
        conns = signed_by(srv, "jira", sig, body, "sha256=")
        data = _json(body)
    except Reject as r:
        return r.response()
    event_type = str(data.get("webhookEvent", "")).removeprefix("jira:")
    delivery = request.headers.get("x-atlassian-webhook-identifier", "")
    return store_all(srv, conns, [(event_type, data)], delivery) or Response(
        status_code=202
    )


async def linear(srv: Server, request: Request) -> Response:
    try:
        body = await read_body(srv, request)
        sig = request.headers.get("linear-signature", "")
        conns = signed_by(srv, "linear", sig, body)
        data = _json(body)
        stamp = data.get("webhookTimestamp")
        if (
            not isinstance(stamp, int | float)
            or abs(time.time() * 1000 - stamp) > 60_000
        ):
            raise Reject(401, UNAUTHORIZED)
    except Reject as r:
        return r.response()
    event_type = request.headers.get("linear-event", str(data.get("type", ""))).lower()
    delivery = request.headers.get("linear-delivery", "")
    return store_all(srv, conns, [(event_type, data)], delivery) or Response(
        status_code=202
    )


async def telegram(srv: Server, request: Request) -> Response:
    cid = str(request.path_params["id"])
    try:
        body = await read_body(srv, request)
        token = request.headers.get("x-telegram-bot-api-secret-token", "")
        conns = [c for c in connections(srv, "telegram") if c.id == cid]
        if not conns:
            raise Reject(404, "Not Found")
        want = conns[0].vals.get("secret_token", "")
        if not want or not same(token, want):
            raise Reject(401, UNAUTHORIZED)
        data = _json(body)
    except Reject as r:
        return r.response()
    event_type = next((k for k in data if k != "update_id"), "")
    delivery = str(data.get("update_id", ""))
    return store_all(srv, conns, [(event_type, data)], delivery) or Response(
        status_code=200
    )


def twilio_signature(token: str, url: str, form: dict[str, str]) -> str:
    text = url + "".join(k + form[k] for k in sorted(form))
    digest = hmac.new(token.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


async def twilio(srv: Server, request: Request) -> Response:
    try:
        body = await read_body(srv, request)
        form = dict(
            urllib.parse.parse_qsl(
                body.decode("utf-8", "replace"), keep_blank_values=True
            )
        )
        sig = request.headers.get("x-twilio-signature", "")
        url = srv.service_url.rstrip("/") + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        account = form.get("AccountSid", "")
        conns = [
            c
            for c in connections(srv, "twilio")
            if sig
            and c.vals.get("Password")
            and account in (c.vals.get("AccountSID"), c.vals.get("Username"))
            and same(sig, twilio_signature(c.vals["Password"], url, form))
        ]
        if not conns:
            raise Reject(401, UNAUTHORIZED)
    except Reject as r:
        return r.response()
    data = {_snake(k): v for k, v in form.items()}
    delivery = form.get("MessageSid", "")
    return store_all(srv, conns, [("message", data)], delivery) or Response(
        status_code=200
    )
