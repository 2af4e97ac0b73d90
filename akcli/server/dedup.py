"""Webhook delivery dedup on plain webhook triggers (issue 15, item 7).

A delivery's key comes from the trigger's ``dedup`` option (manifest keys
``dedup`` / ``dedup_window``, stored as project vars, see
akcli/manifest/webhook_dedup.py) or, without one, from the provider it looks
like: GitHub's ``X-GitHub-Delivery`` header, a Stripe event's ``id`` (a body
with ``"id": "evt_..."`` and a ``Stripe-Signature`` header), a Slack Events API
``event_id`` (Slack retries carry ``X-Slack-Retry-Num`` and the same
``event_id``). The key is stored with the event in one transaction; a delivery
with a key already seen within the window answers like the first (202 with its
event ID, or the stored outcome of a sync webhook) and starts nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping

from akcli.jsonlimit import loads_limited
from akcli.manifest.webhook_dedup import DEDUP_VAR, WINDOW_VAR, parse_window
from akcli.server.state import Server
from akcli.store.interface.triggers import TriggerRow

DEFAULT_WINDOW = 24 * 3600.0  # seconds
_KEEP = 30 * 24 * 3600.0  # seconds a delivery's key is kept at most


def _options(srv: Server, trigger: TriggerRow) -> tuple[str, float]:
    name = trigger.name
    mode, window = "", DEFAULT_WINDOW
    names = (DEDUP_VAR + name, WINDOW_VAR + name)
    for row in srv.store.vars.named(trigger.project_id, names):
        if row.name == DEDUP_VAR + name:
            mode = row.value
        else:
            window = parse_window(row.value) or DEFAULT_WINDOW
    return mode, window


def _provider_key(headers: Mapping[str, str], body: bytes) -> str:
    github = headers.get("x-github-delivery", "").strip()
    if github:
        return f"github:{github}"
    if not body or body[:1] != b"{":
        return ""
    stripe = "stripe-signature" in headers
    slack = "x-slack-signature" in headers or "x-slack-retry-num" in headers
    if not (stripe or slack):
        return ""
    try:
        data = loads_limited(body)  # hostile nesting is a ValueError
    except (ValueError, RecursionError):
        return ""
    if not isinstance(data, dict):
        return ""
    if stripe and str(data.get("id", "")).startswith("evt_"):
        return f"stripe:{data['id']}"
    if slack and data.get("event_id"):
        return f"slack:{data['event_id']}"
    return ""


def delivery_key(
    srv: Server, trigger: TriggerRow, headers: Mapping[str, str], body: bytes
) -> tuple[str, float] | None:
    """``(key, window seconds)`` of a delivery, or None (no dedup)."""
    mode, window = _options(srv, trigger)
    if mode == "none":
        return None
    if mode == "body_hash":
        return f"body:{hashlib.sha256(body).hexdigest()}", window
    if mode.startswith("header:"):
        value = headers.get(mode[len("header:") :].strip().lower(), "").strip()
        return (f"header:{value}", window) if value else None
    key = _provider_key(headers, body)
    return (key, window) if key else None


def first_event(srv: Server, trigger_id: str, key: str, window: float) -> str | None:
    """The event ID of the first delivery of ``key`` within the window."""
    return srv.store.dedup.webhook_event(trigger_id, key, time.time() - window)


def remember(srv: Server, trigger_id: str, key: str, event_id: str) -> None:
    """Store a delivery's key (inside the transaction that stores its event);
    a key seen before the window is replaced, and keys older than 30 days are dropped."""
    t = time.time()
    srv.store.dedup.remember_webhook(trigger_id, key, event_id, t, t - _KEEP)
