"""Waits of evicted sessions (`session_waits`): what wakes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class WaitRow:
    """A row of `session_waits`."""

    session_id: str
    seq: int
    op: str
    names: Any
    wake_at: float | None
    evicted: bool
    created_at: str


class WaitsPart(Protocol):
    """Methods are added here as the SQL moves into the store."""

    def delete_for_session(self, session_id: str) -> None:
        """Drop every wait of the session (it ended)."""
        ...
