"""Signals between sessions (`signals`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class SignalRow:
    """A row of `signals`."""

    id: int
    session_id: str
    name: str
    payload: Any
    consumed: bool
    created_at: str


class SignalsPart(Protocol):
    """Methods are added here as the SQL moves into the store."""
