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

    def add(self, session_id: str, key: str, t: str, text: str) -> bool:
        """Store a print unless the session has one under ``key`` (a replayed
        print); whether it was stored."""
        ...

    def put(self, session_id: str, key: str, t: str, text: str) -> None:
        """Store a print under ``key``, replacing the text of one there."""
        ...

    def stored_bytes(self, session_id: str, except_key: str = "") -> int:
        """The UTF-8 size of the session's prints, but the one under ``except_key``."""
        ...

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
