"""Outcomes of sync webhooks' sessions (`outcomes`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """A row of `outcomes`."""

    id: int
    event_id: str
    session_id: str
    value: Any
    created_at: str


class OutcomesPart(Protocol):
    """Methods are added here as the SQL moves into the store."""

    def add(self, event_id: str, session_id: str, value: Any, t: str) -> None: ...

    def after(self, event_id: str, after_id: int) -> list[OutcomeRow]:
        """The event's outcomes with id > ``after_id``, by id."""
        ...
