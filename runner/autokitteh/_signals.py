"""Signals between sessions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from . import _runtime
from ._errors import AutoKittehError
from ._values import timeout_seconds, to_json


@dataclass
class Signal:
    """A received signal: its ``name`` and ``payload``."""

    name: str
    payload: Any = None


def signal(session_id: str, name: str, payload: Any = None) -> None:
    """Send signal ``name`` with ``payload`` to session ``session_id``."""
    wire = to_json(payload)
    rt = _runtime.current()
    if rt is not None:
        rt.syscall("signal", {"session_id": session_id, "name": name, "payload": wire})


def next_signal(
    name: str | list[str], *, timeout: datetime.timedelta | float | None = None
) -> Signal | None:
    """Wait for the first signal among ``name`` (or names).

    A name that is a child session id waits for that child's completion. Returns
    ``None`` on timeout, and always locally. Refused inside an activity.
    """
    names = [name] if isinstance(name, str) else list(name)
    seconds = timeout_seconds(timeout, "next_signal")
    rt = _runtime.current()
    if rt is None:
        return None
    if rt.in_activity():
        raise AutoKittehError(
            "next_signal: this operation is not allowed in an activity"
        )
    raw = rt.syscall("next_signal", {"names": names, "timeout": seconds})
    if raw is None:
        return None
    return Signal(name=str(raw.get("name", "")), payload=raw.get("payload"))
