"""The shape of one supported integration (the registry: akcli/integration_table.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from akcli.ids import encode

__all__ = ["Integration", "Key"]


@dataclass(frozen=True)
class Key:
    """A connection key (upstream's name, read as `<conn>__<key>`)."""

    name: str
    secret: bool = False
    description: str = ""


@dataclass(frozen=True)
class Integration:
    """One integration: its keys, what makes a connection usable, its events."""

    unique_name: str
    display_name: str
    description: str
    keys: tuple[Key, ...] = ()
    # Alternative sets of keys; a connection is configured when one is complete.
    required: tuple[tuple[str, ...], ...] = ()
    event_types: tuple[str, ...] = ()
    receivers: tuple[str, ...] = ()  # HTTP paths; `{key}`/`{id}` filled per connection
    sources: tuple[str, ...] = ()  # outbound event sources the server runs
    test_call: str = ""  # what `ak connection test` calls
    aliases: tuple[str, ...] = field(default=(), compare=False)

    @property
    def integration_id(self) -> str:
        if self.unique_name == "test":  # upstream's fixed ID (cli.md §2.11)
            return "int_3kth00testaf9d33c5697341f0"
        u = uuid.uuid5(uuid.NAMESPACE_URL, f"ak:integration:{self.unique_name}")
        return "int_" + encode(u.int & ((1 << 125) - 1))

    def key(self, name: str) -> Key | None:
        return next((k for k in self.keys if k.name == name), None)

    def is_secret(self, name: str) -> bool:
        k = self.key(name)
        return k.secret if k is not None else False

    def missing(self, present: set[str]) -> list[str]:
        """[] when configured, else the keys still missing from the closest set."""
        if not self.required:
            return []
        gaps = [[k for k in req if k not in present] for req in self.required]
        return min(gaps, key=len)

    def to_json(self) -> dict[str, object]:
        return {
            "integration_id": self.integration_id,
            "unique_name": self.unique_name,
            "display_name": self.display_name,
            "description": self.description,
            "connection_keys": [
                {"name": k.name, "is_secret": k.secret, "description": k.description}
                for k in self.keys
            ],
            "required_keys": [list(r) for r in self.required],
            "event_types": list(self.event_types),
            "receivers": list(self.receivers),
            "event_sources": list(self.sources),
        }
