"""Events: the handler's argument, subscriptions, child sessions, sleep."""

from __future__ import annotations

import datetime
import os
import time
import uuid
from typing import Any

from . import _runtime
from ._attrdict import AttrDict
from ._values import fix_http_body, timeout_seconds, to_json


class Event:
    """The argument of a handler: ``data`` (an AttrDict), ``event_id``, ``event_type``.

    Both ``event.data`` and ``event["data"]`` work.
    """

    __slots__ = ("data", "event_id", "event_type")

    def __init__(
        self,
        data: AttrDict | dict[str, Any] | None = None,
        event_id: str | None = None,
        event_type: str | None = None,
    ) -> None:
        self.data = data if isinstance(data, AttrDict) else AttrDict(data or {})
        self.event_id = event_id
        self.event_type = event_type

    def __getitem__(self, key: str) -> Any:
        if key not in self.__slots__:
            raise KeyError(key)
        return getattr(self, key)

    def __repr__(self) -> str:
        return (
            f"Event(data={dict(self.data)!r}, event_id={self.event_id!r}, "
            f"event_type={self.event_type!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Event):
            return NotImplemented
        return (self.data, self.event_id, self.event_type) == (
            other.data,
            other.event_id,
            other.event_type,
        )

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (Event, (dict(self.data), self.event_id, self.event_type))

    @classmethod
    def from_wire(cls, raw: dict[str, Any] | None) -> Event:
        """Build an event from its wire form ``{data, event_id, event_type}``."""
        raw = raw or {}
        data = fix_http_body(dict(raw.get("data") or {}))
        return cls(AttrDict(data), raw.get("event_id"), raw.get("event_type"))


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
    return str(rt.syscall("subscribe", {"source": source, "filter": filter}))


def next_event(
    subscription_id: str | list[str],
    *,
    timeout: datetime.timedelta | float | None = None,
    full: bool = False,
) -> AttrDict | Event | None:
    """Wait for the next event of one of the subscriptions.

    ``timeout`` is seconds or a ``timedelta`` (``None``/0: forever). Returns the
    event data as an AttrDict (or the whole :class:`Event` with ``full=True``),
    or ``None`` on timeout. Locally returns ``None``.
    """
    ids = (
        [subscription_id] if isinstance(subscription_id, str) else list(subscription_id)
    )
    seconds = timeout_seconds(timeout)
    rt = _runtime.current()
    if rt is None:
        return None
    raw = rt.syscall("next_event", {"subscription_ids": ids, "timeout": seconds})
    if raw is None:
        return None
    event = Event.from_wire(raw)
    return event if full else event.data


def unsubscribe(subscription_id: str) -> None:
    """Stop a subscription. Locally a no-op."""
    rt = _runtime.current()
    if rt is not None:
        rt.syscall("unsubscribe", {"subscription_id": subscription_id})


def start(
    loc: str,
    data: dict[str, Any] | None = None,
    memo: dict[str, str] | None = None,
    project: str = "",
) -> str:
    """Start a child session at ``loc`` ("file.py:func"); returns its session id.

    ``data`` becomes the child's ``event.data``. Locally returns a dummy id.
    """
    try:
        wire_data = to_json(data or {})
    except TypeError as e:
        raise ValueError(f"start: invalid data: {e}") from None
    rt = _runtime.current()
    if rt is None:
        return f"ses_{uuid.uuid4().hex}"
    args = {"loc": loc, "data": wire_data, "memo": dict(memo or {}), "project": project}
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
