"""Typed rows from a runner's activity and done messages (runner/protocol.py).

The runner's payloads are JSON from a process running user code: every field
is coerced here, so the handle passes only typed values to the SessionHost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from akcli.engine.runner_types import ActivityCall, Attempt, JournalEntry, RunOutcome

__all__ = ["ActivityDone", "ActivityStart", "activity_done", "activity_start", "done"]


@dataclass(frozen=True)
class ActivityStart:
    """An ``activity_start`` message."""

    seq: int
    name: str
    args: list[str]
    kwargs: dict[str, str]
    t: float | None  # when it started (runner's clock)
    attempt: Attempt | None  # None: not a retried activity


@dataclass(frozen=True)
class ActivityDone:
    """An ``activity_done`` message."""

    entry: JournalEntry
    call: ActivityCall | None  # set when no activity_start was sent
    attempt: Attempt | None  # None: not a retried activity


def activity_start(p: dict[str, Any]) -> ActivityStart:
    return ActivityStart(
        seq=int(p["seq"]),
        name=str(p.get("name", "")),
        args=_strs(p.get("args")),
        kwargs=_str_map(p.get("kwargs")),
        t=_unix_time(p.get("t")),
        # A retried activity (runner/retrying.py).
        attempt=Attempt(int(p["attempt"])) if "attempt" in p else None,
    )


def activity_done(p: dict[str, Any]) -> ActivityDone:
    entry = JournalEntry(
        seq=int(p["seq"]),
        name=str(p.get("name", "")),
        kind="pickle",
        value=p.get("result"),
        is_error=bool(p.get("is_error")),
        site=p.get("site") if isinstance(p.get("site"), list) else None,
        args_hash=str(p.get("args_hash") or ""),
        queue_s=_seconds(p.get("q")),
        exec_s=_seconds(p.get("x")),
    )
    call = None
    if "args" in p:  # no activity_start was sent: the call spec is here
        call = ActivityCall(
            _strs(p.get("args")), _str_map(p.get("kwargs")), _unix_time(p.get("t"))
        )
    attempt = None
    if "attempt" in p:  # a retried activity (runner/retrying.py)
        err = p.get("error")
        attempt = Attempt(int(p["attempt"]), None if err is None else str(err))
    return ActivityDone(entry, call, attempt)


def done(p: dict[str, Any]) -> RunOutcome:
    """The outcome a ``done`` message reports."""
    return RunOutcome(
        state=str(p.get("state") or "error"),
        value=p.get("value"),
        value_pickle=p.get("value_pickle"),
        error=str(p.get("error") or ""),
        reason=str(p.get("reason") or ""),
    )


def _strs(value: Any) -> list[str]:
    return [str(a) for a in value or []]


def _str_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in (value or {}).items()}


def _unix_time(value: Any) -> float | None:
    """A runner-sent unix time, or None if absent or not a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _seconds(value: Any) -> float | None:
    """A duration in seconds from a runner message (None: absent or bad)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None
