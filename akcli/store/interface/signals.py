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

    def add(self, session_id: str, name: str, payload: Any, t: str) -> None:
        """Queue a signal for session ``session_id`` (unconsumed)."""
        ...

    def next_pending(self, session_id: str, names: list[str]) -> SignalRow | None:
        """The session's oldest unconsumed signal named one of ``names``."""
        ...

    def consume(self, signal_id: int) -> None: ...

    def get(self, signal_id: int) -> SignalRow | None: ...

    def pending_of_running(self, after_id: int, limit: int) -> list[SignalRow]:
        """Unconsumed signals after id ``after_id`` (oldest first) to RUNNING
        durable sessions: those engine temporal delivers to workflows."""
        ...
