"""Accepted events (`events`): committed before the 202, dispatched once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class EventRow:
    """A row of `events`."""

    seq: int
    event_id: str
    destination_id: str
    project_id: str
    event_type: str
    data: Any
    memo: Any
    created_at: str
    dispatched: bool


class EventsPart(Protocol):
    """Methods are added here as the SQL moves into the store."""

    def add(
        self,
        *,
        event_id: str,
        destination_id: str,
        project_id: str,
        event_type: str,
        data: Any,
        memo: dict[str, str],
        created_at: str,
        dispatched: bool = False,
    ) -> None: ...

    def get(self, event_id: str) -> EventRow | None: ...

    def find(
        self,
        *,
        destination_id: str = "",
        project_id: str = "",
        event_type: str = "",
        newest_first: bool = True,
        limit: int = 0,
    ) -> list[EventRow]:
        """Matching events (empty: any; ``project_id`` only without a
        destination) by seq; at most ``limit`` when it is > 0."""
        ...
