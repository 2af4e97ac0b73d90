"""Outcomes: answers to synchronous webhooks."""

from __future__ import annotations

from typing import Any

from . import _runtime
from ._values import to_json


def outcome(v: Any, *, event_id: str | None = None) -> None:
    """Send ``v`` as the outcome of the triggering event (or ``event_id``).

    Locally a no-op.
    """
    wire = to_json(v)
    rt = _runtime.current()
    if rt is not None:
        rt.syscall("outcome", {"value": wire, "event_id": event_id})


def http_outcome(
    status_code: int = 200,
    *,
    body: Any = None,
    json: Any = None,
    headers: dict[str, str] | None = None,
    more: bool = False,
    event_id: str | None = None,
) -> None:
    """Answer the triggering synchronous webhook with an HTTP response.

    Arguments after ``status_code`` are keyword-only, as upstream. ``body`` is
    sent as-is when str/bytes, else as JSON; ``json`` is JSON-encoded. Giving
    both is an error.
    """
    if body is not None and json is not None:
        raise ValueError("Cannot specify both body and json together")
    value: dict[str, Any] = {
        "status_code": status_code,
        "headers": dict(headers or {}),
        "more": more,
    }
    if body is not None:
        value["body"] = body
    if json is not None:
        value["json"] = json
    outcome(value, event_id=event_id)
