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


@dataclass(frozen=True, slots=True)
class PendingFilterRow:
    """A pending event and the CEL filter of a trigger it may start."""

    seq: int
    event_id: str
    event_type: str
    data_json: str  # parsed by the caller, off the event loop
    filter: str


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

    def pending(self, after_seq: int, limit: int) -> list[EventRow]:
        """Events not dispatched yet with seq > ``after_seq``, by seq."""
        ...

    def is_dispatched(self, seq: int) -> bool | None:
        """Whether event ``seq`` was dispatched; None if there is no such event."""
        ...

    def claim(self, seq: int) -> bool:
        """Flag pending event ``seq`` dispatched; False if it was not pending
        (another worker, or an earlier pass, dispatched it)."""
        ...

    def mark_dispatched(self, seq: int, memo: dict[str, Any] | None = None) -> None:
        """Flag event ``seq`` dispatched (and replace its memo when given)."""
        ...

    def pending_filters(self, limit: int) -> list[PendingFilterRow]:
        """The (pending event, trigger filter) pairs to evaluate, by seq: the
        non-empty filters of the event's trigger or its connection's triggers."""
        ...

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

    def max_seq(self) -> int:
        """The newest event's seq (0: no event yet)."""
        ...

    def after(self, destination_id: str, after_seq: int, limit: int) -> list[EventRow]:
        """Events to ``destination_id`` with seq > ``after_seq``, by seq."""
        ...

    def dispatched_by_id(self, event_id: str) -> bool:
        """Whether event ``event_id`` exists and was dispatched."""
        ...
