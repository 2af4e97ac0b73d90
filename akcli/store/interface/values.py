"""The SDK's key-value store (`store_values`), per project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class StoreValueRow:
    """A row of `store_values`."""

    project_id: str
    key: str
    value: Any
    published: bool


class ValuesPart(Protocol):
    """Methods are added here as the SQL moves into the store."""

    def published(self, project_id: str, key: str) -> StoreValueRow | None:
        """The project's value of ``key`` if it was published."""
        ...

    def delete_for_project(self, project_id: str) -> None:
        """Every store value of the project."""
        ...

    def keys(self, project_id: str) -> list[str]:
        """The project's keys, sorted."""
        ...

    def get(self, project_id: str, key: str) -> StoreValueRow | None: ...

    def put(self, project_id: str, key: str, value: Any) -> None:
        """Insert or replace the value (its published flag stays)."""
        ...

    def delete(self, project_id: str, key: str) -> None: ...

    def set_published(self, project_id: str, key: str, published: bool) -> None: ...
