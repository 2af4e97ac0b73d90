"""Sessions (`sessions`): one row per run of an entry point."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from akcli.states import SessionState


@dataclass(frozen=True, slots=True, kw_only=True)
class NewSession:
    """What creating a session needs (it starts CREATED)."""

    session_id: str
    project_id: str
    entry_path: str
    entry_name: str
    inputs: dict[str, Any]
    memo: dict[str, str] = field(default_factory=dict)
    deployment_id: str = ""
    build_id: str = ""
    event_id: str = ""
    trigger_id: str = ""
    event_type: str = ""
    parent_session_id: str = ""
    is_durable: bool = False
    is_sync: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionFilter:
    """What `SessionsPart.find` matches on; empty fields match everything."""

    project_id: str = ""
    deployment_id: str = ""
    event_id: str = ""
    build_id: str = ""
    trigger_id: str = ""
    state: SessionState | None = None
    created_after: str = ""  # RFC 3339 UTC, inclusive
    created_before: str = ""  # exclusive


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A row of `sessions`."""

    session_id: str
    project_id: str
    deployment_id: str
    build_id: str
    event_id: str
    trigger_id: str
    parent_session_id: str
    entry_path: str
    entry_name: str
    inputs: dict[str, Any]
    memo: dict[str, str]
    event_type: str
    is_durable: bool
    is_sync: bool
    state: SessionState
    error: str
    return_value: str | None  # JSON display value
    stop_reason: str
    created_at: str
    updated_at: str


class SessionsPart(Protocol):
    def get(self, session_id: str) -> SessionRow | None: ...

    def create(self, new: NewSession, t: str) -> None:
        """Insert a CREATED session (and nothing else: logs are the caller's)."""
        ...

    def in_state(
        self, state: SessionState, limit: int | None = None
    ) -> list[SessionRow]:
        """Sessions in ``state``, oldest first (at most ``limit``)."""
        ...

    def mark_running(self, session_id: str, t: str, owner: str = "") -> bool:
        """CREATED -> RUNNING, run by worker ``owner``; False if it was not
        CREATED any more (another worker claimed it)."""
        ...

    def take_over(self, session_id: str, owner: str, old_owners: set[str]) -> bool:
        """A RUNNING session not owned by one of ``old_owners`` (the live
        workers) nor ``owner`` moves to ``owner``; False if not."""
        ...

    def set_owner(self, session_id: str, owner: str) -> None: ...

    def new_run(self, session_id: str) -> int:
        """Take the session's next run epoch (a fencing token) and return it."""
        ...

    def run_is(self, session_id: str, epoch: int) -> bool:
        """Whether ``epoch`` is still the session's current run epoch."""
        ...

    def finish(
        self,
        session_id: str,
        state: SessionState,
        *,
        error: str,
        return_value: str,
        stop_reason: str,
        t: str,
    ) -> bool:
        """End a CREATED or RUNNING session in final ``state``; False if it
        was not one (already ended, or gone)."""
        ...

    def stop_created(self, session_id: str, reason: str, t: str) -> bool:
        """A CREATED session -> STOPPED; False if it was not CREATED."""
        ...

    def find(self, f: SessionFilter, limit: int, offset: int = 0) -> list[SessionRow]:
        """Matching sessions, newest first (created_at, then session_id)."""
        ...

    def latest_id(self, project_id: str) -> str | None:
        """The ID of the project's newest session."""
        ...

    def delete(self, session_id: str) -> None:
        """Delete the session row (its logs, prints, journal are their parts')."""
        ...

    def state_counts(self, deployment_id: str) -> dict[SessionState, int]:
        """How many of the deployment's sessions are in each state (none: absent)."""
        ...

    def deployment_has_live(self, deployment_id: str) -> bool:
        """Whether a session of the deployment is still CREATED or RUNNING."""

    def running_durable(self, project_id: str) -> list[SessionRow]:
        """The project's RUNNING durable sessions, oldest first."""
        ...

    def live_on_build(self, build_id: str) -> str | None:
        """The ID of a CREATED or RUNNING session pinned to the build."""
        ...

    def running_among(self, session_ids: list[str]) -> list[SessionRow]:
        """Those of ``session_ids`` that are RUNNING."""
        ...

    def move_build(self, session_id: str, build_id: str, deployment_id: str) -> bool:
        """Point a RUNNING session to another build and deployment; False if
        it was not RUNNING."""
        ...

    def any_for_event(self, event_id: str) -> bool:
        """Whether a session was started for the event."""
        ...

    def live_for_event(self, event_id: str) -> bool:
        """Whether a session of the event has not ended yet."""
        ...

    def parent_of(self, session_id: str) -> str:
        """The ID of the session's parent ("": none, or no such session)."""
        ...

    def exists(self, session_id: str) -> bool: ...
