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


@dataclass(frozen=True, slots=True)
class ActivityTiming:
    """One activity's (pickle entry's) timings, in seconds (None: not measured)."""

    seq: int
    name: str
    site: str
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

    def add_many(
        self,
        session_id: str,
        rows: Sequence[
            tuple[int, str, str, str, bool, str, str, str, float | None, float | None]
        ],
    ) -> None:
        """``add`` of several entries (``(seq, name, kind, value, is_error,
        created_at, site, args_hash, queue_s, exec_s)``), one statement."""
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

    def activity_timings(self, session_id: str) -> list[ActivityTiming]:
        """The timings of the session's activities (kind pickle), by seq."""
        ...

    def sleeps(self, session_id: str) -> list[JournalRow]:
        """The session's journaled `sleep` calls that did not fail, by seq."""
        ...

    def delete_for_session(self, session_id: str) -> None:
        """Delete the session's journal."""

    def last(self, session_id: str) -> JournalRow | None:
        """The session's entry with the highest seq."""
        ...
