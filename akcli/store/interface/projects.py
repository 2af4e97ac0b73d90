"""Projects (`projects`) and their resource files (`resources`)."""

from __future__ import annotations

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
