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
