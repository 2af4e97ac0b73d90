"""The states of ak's records, one enum per kind (StrEnum: they are the text
stored in the database and compared on the wire)."""

from __future__ import annotations

from enum import StrEnum


class SessionState(StrEnum):
    """A session's state, as the sessions table stores it."""

    CREATED = "created"
    RUNNING = "running"
    COMPLETED = "completed"
    ERROR = "error"
    STOPPED = "stopped"

    @property
    def final(self) -> bool:
        return self in FINAL_SESSION_STATES

    @property
    def wire(self) -> str:
        """Upstream's name: SESSION_STATE_TYPE_RUNNING, ..."""
        return f"SESSION_STATE_TYPE_{self.value.upper()}"


# The order upstream numbers them in (SessionStateType 1..5).
SESSION_STATES: tuple[SessionState, ...] = (
    SessionState.CREATED,
    SessionState.RUNNING,
    SessionState.ERROR,
    SessionState.COMPLETED,
    SessionState.STOPPED,
)
FINAL_SESSION_STATES = frozenset(
    {SessionState.COMPLETED, SessionState.ERROR, SessionState.STOPPED}
)


class DeploymentState(StrEnum):
    UNSPECIFIED = "DEPLOYMENT_STATE_UNSPECIFIED"
    ACTIVE = "DEPLOYMENT_STATE_ACTIVE"
    TESTING = "DEPLOYMENT_STATE_TESTING"
    DRAINING = "DEPLOYMENT_STATE_DRAINING"
    INACTIVE = "DEPLOYMENT_STATE_INACTIVE"


class BuildStatus(StrEnum):
    SUCCESS = "BUILD_STATUS_SUCCESS"
