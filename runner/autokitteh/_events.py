"""Events: subscriptions, child sessions, sleep (``Event`` lives in ``event``)."""

from __future__ import annotations

import datetime
import json
import os
import time
import uuid
from typing import Any

from . import _runtime
from ._attrdict import AttrDict
from ._errors import AutoKittehError
from ._values import timeout_seconds
from .event import Event


def _in_activity_call(rt: _runtime.Runtime, op: str, args: dict[str, Any]) -> Any:
    """A syscall; inside an activity its failure is upstream's
    ``AutoKittehError("next_event inside activity: <error>")``."""
    if not rt.in_activity():
        return rt.syscall(op, args)
    try:
        return rt.syscall(op, args)
    except AutoKittehError as e:
        raise AutoKittehError(f"next_event inside activity: {e}") from e


def subscribe(source: str, filter: str = "") -> str:
    """Subscribe to events of a trigger or connection named ``source``.

    ``filter`` is a CEL expression over ``data`` and ``event_type``. Returns a
    subscription id for :func:`next_event`. Locally returns a dummy id.
    """
    if not source:
        raise ValueError("missing source")
    rt = _runtime.current()
    if rt is None:
        return f"sig_{uuid.uuid4().hex}"
    return str(_in_activity_call(rt, "subscribe", {"source": source, "filter": filter}))


def next_event(
    subscription_id: str | list[str],
    *,
    timeout: datetime.timedelta | float | None = None,
    full: bool = False,
) -> AttrDict | Event | None:
    """Wait for the next event of one of the subscriptions.

    ``timeout`` is seconds or a ``timedelta`` (``None``/0: forever; negative:
    an error). Returns the event data as an AttrDict (or the whole
    :class:`Event` with ``full=True``), or ``None`` on timeout. Locally returns
    ``None``.
    """
    ids = (
        [subscription_id] if isinstance(subscription_id, str) else list(subscription_id)
    )
    rt = _runtime.current()
    if rt is None:
        timeout_seconds(timeout, "next_event")
        return None
    try:
        seconds = timeout_seconds(timeout, "next_event")
    except AutoKittehError as e:
        if rt.in_activity():
            raise AutoKittehError(f"next_event inside activity: {e}") from e
        raise
    args = {"subscription_ids": ids, "timeout": seconds}
    raw = _in_activity_call(rt, "next_event", args)
    if raw is None:
        return None
    event = Event.from_wire(raw)
    return event if full else event.data


def unsubscribe(subscription_id: str) -> None:
    """Stop a subscription. Locally a no-op."""
    rt = _runtime.current()
    if rt is not None:
        rt.syscall("unsubscribe", {"subscription_id": subscription_id})


def _json_arg(what: str, value: Any) -> Any:
    # As upstream: data and memo must be JSON as they are (json.dumps).
    try:
        json.dumps(value)
    except (TypeError, ValueError) as e:
        raise ValueError(f"start: invalid {what}: {e}") from None
    return value


def start(
    loc: str,
    data: dict[str, Any] | None = None,
    memo: dict[str, str] | None = None,
    project: str = "",
) -> str:
    """Start a child session at ``loc`` ("file.py:func"); returns its session id.

    ``data`` becomes the child's ``event.data``; ``data`` and ``memo`` must be
    JSON-serialisable (``ValueError("start: invalid data: ...")``). Locally
    returns a dummy id.
    """
    wire_data = _json_arg("data", {} if data is None else data)
    wire_memo = _json_arg("memo", {} if memo is None else memo)
    rt = _runtime.current()
    if rt is None:
        return f"ses_{uuid.uuid4().hex}"
    args = {"loc": loc, "data": wire_data, "memo": wire_memo, "project": project}
    return str(rt.syscall("start", args))


def sleep(seconds: float) -> None:
    """Sleep for ``seconds``: a durable timer in a durable workflow."""
    if isinstance(seconds, datetime.timedelta):
        seconds = seconds.total_seconds()
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    rt = _runtime.current()
    if rt is None:
        time.sleep(seconds)
    else:
        rt.sleep(seconds)


def is_deployment_active() -> bool:
    """Whether the session's deployment is still active (draining check)."""
    rt = _runtime.current()
    if rt is None:
        return True
    return bool(rt.syscall("is_deployment_active", {}))


def get_webhook_url(trigger_name: str) -> str:
    """The public webhook URL of trigger ``trigger_name`` (env var)."""
    url = os.environ.get(f"{trigger_name}__webhook_url")
    if not url:
        raise ValueError(f"Webhook URL not found for trigger {trigger_name!r}")
    return url


def get_store_public_url() -> str:
    """The public URL of the project's published store values (env var)."""
    url = os.environ.get("store_public_url")  # noqa: SIM112 (upstream name)
    if not url:
        raise ValueError("Store public URL not found")
    return url
