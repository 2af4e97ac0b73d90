"""A session's prints (`session_prints`), keyed so a replay stores each once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PrintRow:
    """A row of `session_prints`."""

    id: int
    session_id: str
    key: str
    t: str
    text: str


class PrintsPart(Protocol):
    """Methods are added here as the SQL moves into the store."""
