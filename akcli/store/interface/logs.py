"""Session log records (`session_logs`): numbered 1, 2, ... per session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class LogRow:
    session_id: str
    seq: int
    t: str  # RFC 3339 UTC
    record: dict[str, Any]


class LogsPart(Protocol):
    def append(self, session_id: str, records: Sequence[dict[str, Any]], t: str) -> int:
        """Append records after the session's last one; the last seq written
        (the session's last seq when ``records`` is empty)."""
        ...

    def last_seq(self, session_id: str) -> int:
        """The seq of the session's last record, 0 if none."""
        ...

    def after(self, session_id: str, after_seq: int = 0) -> list[LogRow]:
        """The session's records with seq > ``after_seq``, in order."""
        ...

    def append_encoded(
        self, session_id: str, records: Sequence[tuple[str, str]]
    ) -> int:
        """`append` of (time, record as JSON text) pairs, serialized by the
        caller (the activity hot path), numbered the same way; the last seq."""
        ...

    def page(
        self, session_id: str, limit: int, offset: int = 0, newest_first: bool = False
    ) -> list[LogRow]:
        """Up to ``limit`` records after skipping ``offset``, by seq (descending
        when ``newest_first``)."""
        ...

    def delete_for_session(self, session_id: str) -> None:
        """Delete every record of the session."""
        ...
