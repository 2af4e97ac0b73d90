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
