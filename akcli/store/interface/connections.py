"""Connections (`connections`): a project's named integration instances."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ConnectionRow:
    connection_id: str
    project_id: str
    name: str
    integration: str
    created_at: str
    updated_at: str


class ConnectionsPart(Protocol):
    def list_for_project(self, project_id: str) -> list[ConnectionRow]:
        """The project's connections, by name."""
        ...

    def of_integration(self, integration: str) -> list[ConnectionRow]:
        """Every connection of an integration, oldest first."""
        ...

    def by_name(self, project_id: str, name: str) -> ConnectionRow | None: ...
