"""``Event``: the argument of a handler."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._attrdict import AttrDict
from ._values import fix_http_body

_FIELDS = ("data", "event_id", "event_type")


@dataclass
class Event:
    """A handler's argument: ``data`` (an AttrDict), ``event_id``, ``event_type``.

    A dataclass (``dataclasses.asdict``/``replace`` work), read as
    ``event.data.x`` or ``event["data"]``. A plain dict given as ``data`` is
    wrapped in an AttrDict.
    """

    data: AttrDict
    event_id: str | None = None
    event_type: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.data, AttrDict):
            self.data = AttrDict(self.data or {})

    def __getitem__(self, key: str) -> Any:
        if key not in _FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    @classmethod
    def from_wire(cls, raw: dict[str, Any] | None) -> Event:
        """Build an event from its wire form ``{data, event_id, event_type}``."""
        raw = raw or {}
        data = fix_http_body(dict(raw.get("data") or {}))
        return cls(AttrDict(data), raw.get("event_id"), raw.get("event_type"))
