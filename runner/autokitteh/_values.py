"""Conversions between Python values and the JSON values syscalls carry."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime
import math
from typing import Any

from ._errors import AutoKittehError


def to_json(value: Any, *, strict: bool = True, _seen: set[int] | None = None) -> Any:
    """Convert ``value`` to a JSON-safe value.

    Tuples and sets become lists, datetimes ISO strings, timedeltas seconds,
    bytes text (UTF-8) or base64, objects a dict of their public fields. With
    ``strict`` an unsupported value raises ``TypeError``; otherwise its
    ``repr`` is used (for display only).
    """
    seen = _seen if _seen is not None else set()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        try:
            return raw.decode()
        except UnicodeDecodeError:
            return base64.b64encode(raw).decode()
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if id(value) in seen:
        return "<recursive value>"
    seen.add(id(value))
    try:
        if isinstance(value, dict):
            return {
                str(k): to_json(v, strict=strict, _seen=seen) for k, v in value.items()
            }
        if isinstance(value, list | tuple | set | frozenset):
            return [to_json(v, strict=strict, _seen=seen) for v in value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            return to_json(fields, strict=strict, _seen=seen)
        if hasattr(value, "__dict__") and not callable(value):
            public = {k: v for k, v in vars(value).items() if not k.startswith("_")}
            return to_json(public, strict=strict, _seen=seen)
    finally:
        seen.discard(id(value))
    if strict:
        raise TypeError(f"unsupported value type: {type(value).__name__}")
    return repr(value)


def timeout_seconds(
    timeout: datetime.timedelta | float | None, op: str
) -> float | None:
    """Normalise a ``timeout`` argument of ``op``: ``None``/0 mean wait forever.

    A negative timeout raises ``AutoKittehError("<op>: timeout < 0")`` (upstream).
    """
    if timeout is None:
        return None
    if isinstance(timeout, datetime.timedelta):
        seconds = timeout.total_seconds()
    elif isinstance(timeout, int | float) and not isinstance(timeout, bool):
        seconds = float(timeout)
    else:
        raise TypeError(
            f"timeout {timeout!r} should be a timedelta or number of seconds"
        )
    if seconds < 0:
        raise AutoKittehError(f"{op}: timeout < 0")
    return seconds if seconds > 0 else None


def fix_http_body(data: Any) -> Any:
    """Decode a webhook body's base64 ``bytes`` field in event data (in place)."""
    if isinstance(data, dict):
        body = data.get("body")
        if isinstance(body, dict) and isinstance(body.get("bytes"), str):
            with contextlib.suppress(ValueError):
                body["bytes"] = base64.b64decode(body["bytes"])
    return data
