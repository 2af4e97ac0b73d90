"""The `ak up` workers of one database (`workers`) and the stop requests that
wait for a session's owner (`stop_requests`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StopRequestRow:
    session_id: str
    reason: str
    force: bool


class WorkersPart(Protocol):
    def register(self, worker_id: str, host: str, pid: int, t: str, hb: float) -> None:
        """Add this worker (heartbeat ``hb``, unix time)."""
        ...

    def heartbeat(self, worker_id: str, hb: float) -> None:
        """Move the worker's heartbeat to ``hb`` (re-adding a deleted row)."""
        ...

    def remove(self, worker_id: str) -> None: ...

    def live(self, since: float) -> set[str]:
        """The workers whose heartbeat is at or after ``since``."""
        ...

    def orphaned_running(self, me: str, since: float) -> list[str]:
        """RUNNING sessions owned by nobody, or by a worker that is not live
        (no heartbeat since ``since``) and not ``me``."""
        ...

    def add_stop(self, session_id: str, reason: str, force: bool, t: str) -> None:
        """Keep a stop request until the session ends (a later one replaces it)."""
        ...

    def stops_for(self, owner: str) -> list[StopRequestRow]:
        """Stop requests of the RUNNING sessions ``owner`` runs."""
        ...

    def delete_stop(self, session_id: str) -> None: ...
