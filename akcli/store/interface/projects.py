"""Projects (`projects`) and their resource files (`resources`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ProjectRow:
    """A row of `projects`."""

    project_id: str
    name: str
    display_name: str
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class ResourceRow:
    """A row of `resources`."""

    project_id: str
    path: str
    data: bytes


class ProjectsPart(Protocol):
    """Methods are added here as the SQL moves into the store."""

    def get(self, project_id: str) -> ProjectRow | None: ...

    def create(
        self, project_id: str, name: str, t: str, display_name: str = ""
    ) -> None:
        """Insert a project (created_at = updated_at = ``t``)."""

    def id_by_name_or_id(self, name_or_id: str) -> str | None:
        """The ID of the project named ``name_or_id`` or with that ID."""
        ...

    def by_name(self, name: str) -> ProjectRow | None: ...

    def list_all(self) -> list[ProjectRow]:
        """Every project, oldest first."""
        ...

    def update(self, project_id: str, name: str, display_name: str, t: str) -> None: ...

    def delete(self, project_id: str) -> None:
        """Delete the project row; its builds, deployments, triggers,
        connections, resources, ... go by ON DELETE CASCADE (vars and store
        values are their parts')."""
        ...

    def set_resources(self, project_id: str, files: Mapping[str, bytes]) -> None:
        """Replace the project's resource files, in one transaction."""
        ...

    def resources(self, project_id: str) -> list[ResourceRow]:
        """The project's resource files, by path."""
        ...
