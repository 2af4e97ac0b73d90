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
