"""Builds (`builds`): a project's files as one tar archive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from akcli.states import BuildStatus


@dataclass(frozen=True, slots=True)
class BuildRow:
    """A row of `builds`."""

    build_id: str
    project_id: str
    status: str
    error: str
    archive: bytes
    created_at: str


class BuildsPart(Protocol):
    """Methods are added here as the SQL moves into the store."""

    def archive(self, build_id: str) -> bytes | None:
        """The build's tar archive; None if there is no such build."""
        ...

    def get(self, build_id: str) -> BuildRow | None: ...

    def create(
        self,
        build_id: str,
        project_id: str,
        status: BuildStatus,
        archive: bytes,
        t: str,
    ) -> None:
        """Insert a build (no error)."""
        ...

    def newest_first(self, project_id: str = "") -> list[BuildRow]:
        """The project's builds (empty: every build), newest first."""
        ...

    def delete(self, build_id: str) -> None: ...
