"""Deployments (`deployments`): a build made live for a project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from akcli.states import DeploymentState


@dataclass(frozen=True, slots=True)
class DeploymentRow:
    """A row of `deployments`."""

    deployment_id: str
    project_id: str
    build_id: str
    state: DeploymentState
    created_at: str
    updated_at: str


class DeploymentsPart(Protocol):
    """Methods are added here as the SQL moves into the store."""

    def active(self, project_id: str) -> list[DeploymentRow]:
        """The project's ACTIVE deployments, oldest first."""
        ...

    def has_active(self, project_id: str) -> bool: ...

    def of_session(self, session_id: str) -> DeploymentRow | None:
        """The deployment session ``session_id`` runs in."""
        ...

    def retire_if_drained(self, session_id: str, t: str) -> None:
        """The DRAINING deployment of ``session_id`` -> INACTIVE once none of
        its sessions is CREATED or RUNNING."""
        ...

    def get(self, deployment_id: str) -> DeploymentRow | None: ...

    def create(
        self,
        deployment_id: str,
        project_id: str,
        build_id: str,
        state: DeploymentState,
        t: str,
    ) -> None:
        """Insert a deployment (created_at = updated_at = ``t``)."""
        ...

    def find(
        self,
        project_id: str = "",
        build_id: str = "",
        state: DeploymentState | None = None,
    ) -> list[DeploymentRow]:
        """Matching deployments (empty: any), newest first."""
        ...

    def active_for_project(self, project_id: str) -> DeploymentRow | None:
        """The project's newest ACTIVE deployment."""
        ...

    def ids_in_state(
        self, project_id: str, state: DeploymentState, exclude: str = ""
    ) -> list[str]:
        """The IDs of the project's deployments in ``state``, but ``exclude``."""
        ...

    def set_state(self, deployment_id: str, state: DeploymentState, t: str) -> None: ...

    def delete(self, deployment_id: str) -> None: ...
    def uses_build(self, build_id: str) -> bool:
        """Whether a deployment (in any state) is of the build."""
        ...
