"""``AttrDict``: a dict with recursive attribute access."""

from __future__ import annotations

from typing import Any


class AttrDict(dict[str, Any]):
    """A dict whose keys can also be read as attributes, recursively.

    ``d.x`` is ``d["x"]``; a nested dict is returned as an ``AttrDict`` copy.
    A missing key raises ``AttributeError``. Setting an attribute raises
    ``NotImplementedError`` (use ``d["key"] = value``).
    """

    def __getattr__(self, name: str) -> Any:
        try:
            value = self[name]
        except KeyError:
            raise AttributeError(name) from None
        if isinstance(value, dict) and not isinstance(value, AttrDict):
            return AttrDict(value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise NotImplementedError("AttrDict does not support setting attributes")

    def __delattr__(self, name: str) -> None:
        raise NotImplementedError("AttrDict does not support deleting attributes")

    def __dir__(self) -> list[str]:
        return [str(k) for k in self]
