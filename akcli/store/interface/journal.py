"""The activity journal (`journal`): one row per completed durable activity."""

from __future__ import annotations

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
