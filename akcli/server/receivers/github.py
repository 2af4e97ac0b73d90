"""GitHub's receiver: `/github/webhook/<key>` (PAT connections) and `/github/webhook`.

The key is the connection's generated `pat_key`; `X-Hub-Signature-256` must be
the HMAC-SHA256 of the body with its `pat_secret` (`X-Hub-Signature`, SHA-1, as
a fallback). App webhooks (no key) are checked with env GITHUB_WEBHOOK_SECRET
and go to the connections whose `install_id` is the payload's installation.
The event type is `X-GitHub-Event`; `/cmd` lines add `slash_commands` and one
`slash_command` event each. `X-GitHub-Delivery` makes retries harmless.
"""

from __future__ import annotations

import json
import os
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

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


def signed(secret: str, request: Request, body: bytes) -> bool:
    if not secret:
        return False
    sig256 = request.headers.get("x-hub-signature-256", "")
    if sig256:
        return same(sig256, "sha256=" + hmac_hex(secret, body))
    sig1 = request.headers.get("x-hub-signature", "")
    return bool(sig1) and same(sig1, "sha1=" + hmac_hex(secret, body, "sha1"))


def slash_commands(event_type: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """`{name, args, raw}` for each line starting with `/` in the text of the event."""
    holder = {
        "issue_comment": "comment",
        "issues": "issue",
        "pull_request": "pull_request",
    }
    part = payload.get(holder.get(event_type, ""))
    text = part.get("body") if isinstance(part, dict) else None
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if len(line) > 1 and line.startswith("/") and not line.startswith("//"):
            words = line[1:].split()
            out.append({"name": words[0], "args": words[1:], "raw": line})
    return out


def _targets(srv: Server, key: str, request: Request, body: bytes) -> list[Conn]:
    conns = connections(srv, "github")
    if key:
        found = [c for c in conns if c.vals.get("pat_key") == key]
        if not found:
            raise Reject(404, "Not Found")
        if not signed(found[0].vals.get("pat_secret", ""), request, body):
            raise Reject(401, UNAUTHORIZED)
        return found
    if not signed(os.environ.get("GITHUB_WEBHOOK_SECRET", ""), request, body):
        raise Reject(401, UNAUTHORIZED)
    try:
        inst = str((json.loads(body).get("installation") or {}).get("id", ""))
    except (ValueError, AttributeError):
        inst = ""
    return [c for c in conns if inst and c.vals.get("install_id") == inst]


async def handle(srv: Server, request: Request) -> Response:
    key = str(request.path_params.get("key", ""))
    try:
        body = await read_body(srv, request)
        conns = _targets(srv, key, request, body)
        event_type = request.headers.get("x-github-event", "")
        try:
            payload = json.loads(body)
        except ValueError:
            raise Reject(400, "invalid JSON") from None
        if not isinstance(payload, dict) or not event_type:
            raise Reject(400, "not a GitHub event")
    except Reject as r:
        return r.response()
    cmds = slash_commands(event_type, payload)
    events: list[tuple[str, dict[str, Any]]] = [
        (event_type, {**payload, "slash_commands": cmds})
    ]
    for cmd in cmds:
        events.append(("slash_command", {**payload, "slash_command": cmd}))
    delivery = request.headers.get("x-github-delivery", "")
    failed = store_all(srv, conns, events, delivery)
    return failed or Response(status_code=202)
