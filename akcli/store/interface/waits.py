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

    def put_evicted(
        self,
        session_id: str,
        seq: int,
        op: str,
        names: list[str],
        wake_at: float | None,
        t: str,
    ) -> None:
        """Store the session's wait as evicted (replacing an older one)."""
        ...

    def get(self, session_id: str, seq: int) -> WaitRow | None:
        """The session's wait if it is the one of call ``seq``."""
        ...

    def delete(self, session_id: str, seq: int) -> None:
        """The call at ``seq`` was answered: drop its wait."""
        ...

    def due(self, now: float, limit: int) -> list[str]:
        """Evicted sessions to wake: the wait's time passed, a signal it waits
        for is pending, an event of a subscription it waits on arrived, or the
        session is no longer RUNNING (at most ``limit``)."""
        ...

    def mark_resumed(self, session_id: str) -> bool:
        """The session got a runner: a sleep's wait goes, another one stays
        (not evicted) for the call's deadline. False if it was not evicted
        (another worker woke it first)."""
        ...

    def next_wake(self) -> float | None:
        """The earliest time an evicted wait ends by itself."""
        ...

    def is_evicted(self, session_id: str) -> bool: ...

    def evicted_ids(self) -> set[str]: ...
