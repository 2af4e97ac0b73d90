"""The project-scoped key/value store (server-side under a runner)."""

from __future__ import annotations

import enum
from collections.abc import Iterator, MutableMapping
from typing import Any

from . import _runtime
from ._values import to_json

# Local fallback: an in-memory store for code running outside a runner.
_local: dict[str, Any] = {}
_local_published: set[str] = set()


class Op(enum.StrEnum):
    """Store operations accepted by :func:`mutate_value`."""

    GET = "get"
    SET = "set"
    DEL = "del"
    ADD = "add"
    CHECK_AND_SET = "check_and_set"


_ARITY = {"get": 0, "set": 1, "del": 0, "add": 1, "check_and_set": 2}


def _local_mutate(key: str, op: str, operands: list[Any]) -> Any:
    if op == "get":
        return _local.get(key)
    if op == "set":
        _local[key] = operands[0]
        return None
    if op == "del":
        _local.pop(key, None)
        return None
    if op == "add":
        _local[key] = _local.get(key, 0) + operands[0]
        return _local[key]
    if op == "check_and_set":
        new, expected = operands
        if _local.get(key) == expected:
            _local[key] = new
            return True
        return False
    if op == "list":
        return sorted(_local)
    if op == "publish":
        _local_published.add(key)
        return None
    if op == "unpublish":
        _local_published.discard(key)
        return None
    raise ValueError(f"unknown store operation {op!r}")


def _store(op: str, key: str = "", operands: list[Any] | None = None) -> Any:
    wire = [to_json(v) for v in operands or []]
    rt = _runtime.current()
    if rt is None:
        return _local_mutate(key, op, wire)
    return rt.syscall("store", {"op": op, "key": key, "operands": wire})


def mutate_value(key: str, op: str, *args: Any) -> Any:
    """Apply store operation ``op`` (see :class:`Op`) to ``key``; return the result."""
    op = str(op)
    if op not in _ARITY:
        raise ValueError(f"unknown store operation {op!r}")
    want = _ARITY[op]
    if len(args) > want:
        raise ValueError("too many operands")
    if len(args) < want:
        raise ValueError(f"missing value for {op!r}")
    return _store(op, key, list(args))


def get_value(key: str) -> Any:
    """The value stored at ``key``, or ``None``."""
    return _store("get", key)


def set_value(key: str, value: Any) -> None:
    """Store ``value`` at ``key``."""
    _store("set", key, [value])


def del_value(key: str) -> None:
    """Delete ``key`` (a missing key is fine)."""
    _store("del", key)


def add_values(key: str, value: int | float) -> int | float:
    """Atomically add ``value`` to ``key`` (missing = 0) and return the new value."""
    result: int | float = _store("add", key, [value])
    return result


def check_and_set_value(key: str, expected_value: Any, new_value: Any) -> bool:
    """Atomically set ``key`` to ``new_value`` if it holds ``expected_value``."""
    # The wire operand order is [new, expected], as upstream.
    return bool(_store("check_and_set", key, [new_value, expected_value]))


def list_values_keys() -> list[str]:
    """All keys of the store, sorted."""
    return [str(k) for k in _store("list") or []]


def publish_value(key: str) -> None:
    """Make ``key`` readable at the project's public store URL."""
    _store("publish", key)


def unpublish_value(key: str) -> None:
    """Stop publishing ``key``."""
    _store("unpublish", key)


class Store(MutableMapping[str, Any]):
    """Dict-style access to the store: ``autokitteh.store["k"] = v``.

    As upstream: a missing key reads as ``None`` and deleting one is silent.
    ``in`` and ``get(k, default)`` treat a key holding ``None`` as missing.
    Read-modify-write through it is not atomic (use :func:`add_values`,
    :func:`check_and_set_value`).
    """

    def __getitem__(self, key: str) -> Any:
        return get_value(key)

    def __setitem__(self, key: str, value: Any) -> None:
        set_value(key, value)

    def __delitem__(self, key: str) -> None:
        del_value(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and get_value(key) is not None

    def get(self, key: str, default: Any = None) -> Any:
        value = get_value(key)
        return default if value is None else value

    def __iter__(self) -> Iterator[str]:
        return iter(list_values_keys())

    def __len__(self) -> int:
        return len(list_values_keys())

    def __repr__(self) -> str:
        return "<autokitteh.store>"


store = Store()
