"""The activity journal (`journal`): one row per completed durable activity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class JournalRow:
    """A row of `journal`."""

    session_id: str
    seq: int
    name: str
    kind: str
    value: str
    is_error: bool
    created_at: str
    site: str
    args_hash: str
    queue_s: float | None
    exec_s: float | None
    commit_s: float | None


class JournalPart(Protocol):
    """Methods are added here as the SQL moves into the store."""

    def add(
        self,
        session_id: str,
        seq: int,
        name: str,
        kind: str,
        value: str,
        is_error: bool,
        created_at: str,
        site: str = "",
        args_hash: str = "",
        queue_s: float | None = None,
        exec_s: float | None = None,
    ) -> None:
        """Insert entry ``seq`` unless the session has one (a replayed one is
        kept as first written). The activity hot path: one statement."""
        ...

    def get(self, session_id: str, seq: int) -> JournalRow | None: ...

    def for_session(self, session_id: str) -> list[JournalRow]:
        """The session's entries, by seq."""
        ...

    def set_commit_times(
        self, session_id: str, times: Sequence[tuple[float, int]]
    ) -> None:
        """Record (commit seconds, seq) pairs, in one batch."""
        ...

    def last(self, session_id: str) -> JournalRow | None:
        """The session's entry with the highest seq."""
        ...
