"""Variables (`vars`): per scope (a project or a connection), secret or not.
Secret values are stored encrypted; the store never sees plaintext secrets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class VarRow:
    scope_id: str
    name: str
    value: str  # ciphertext when is_secret
    is_secret: bool
    description: str = ""


class VarsPart(Protocol):
    def in_scope(self, scope_id: str) -> list[VarRow]:
        """The scope's vars, by name."""
        ...

    def named(self, scope_id: str, names: Sequence[str]) -> list[VarRow]:
        """The scope's vars among ``names`` (those that exist), in no order."""
        ...

    def set_many(self, rows: Sequence[VarRow]) -> None:
        """Insert or overwrite (value, is_secret, description) each var."""
        ...

    def delete_names(self, scope_id: str, names: Sequence[str]) -> None:
        """Delete the scope's vars among ``names`` (absent ones are ignored)."""
        ...

    def delete_scope(self, scope_id: str) -> None: ...

    def delete_for_project(self, project_id: str) -> None:
        """The project's vars and its connections' vars."""
        ...
