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

    def page(
        self, session_id: str, after_id: int, limit: int, max_bytes: int
    ) -> tuple[list[PrintRow], bool]:
        """Prints with id > ``after_id`` in order: at most ``limit``, and no more
        once their texts reach ``max_bytes`` (the first is always taken);
        and whether more follow."""
        ...

    def delete_for_session(self, session_id: str) -> None:
        """Delete every print of the session."""
        ...
