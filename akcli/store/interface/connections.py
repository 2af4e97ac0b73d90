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

    def get(self, connection_id: str) -> ConnectionRow | None: ...

    def by_name(self, project_id: str, name: str) -> ConnectionRow | None: ...

    def create(
        self, connection_id: str, project_id: str, name: str, integration: str, t: str
    ) -> None:
        """Insert a connection (created_at = updated_at = ``t``)."""
        ...

    def set_integration(self, connection_id: str, integration: str, t: str) -> None: ...

    def find(self, project_id: str = "", integration: str = "") -> list[ConnectionRow]:
        """Matching connections (empty: any), oldest first."""
        ...

    def delete(self, connection_id: str) -> None:
        """Delete the connection row (its vars and triggers are their parts')."""
        ...
