"""Protobuf-JSON field names on the RPC wire, for callers that speak upstream's API.

Our CLI sends and reads snake_case field names. Upstream's server is a Connect
service whose JSON codec writes lowerCamelCase names (`sessionId`, `updatedAt`)
and reads either. Scripts written against it (kittehub's session monitor posts
`{"stateType": 3}` to `SessionsService/List` and reads `session["updatedAt"]`)
therefore send camelCase: a request with a camelCase key is read with its keys
in snake_case and answered in camelCase. Map fields (memo, inputs, event data,
…) hold user keys, which protobuf-JSON leaves as they are; so do we.
"""

from __future__ import annotations

import re
from typing import Any

# Fields whose value is a protobuf map (or free-form user data): keys stay verbatim.
MAP_FIELDS = frozenset(
    {"memo", "inputs", "data", "links", "fields", "resources", "values", "vars"}
)
_CAMEL = re.compile(r"[a-z0-9][A-Z]")


def is_camel(body: dict[str, Any]) -> bool:
    """True if any top-level key of the request is camelCase (`stateType`)."""
    return any(_CAMEL.search(k) for k in body)


def _snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _convert(value: Any, name: Any) -> Any:
    if isinstance(value, list):
        return [_convert(v, name) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for k, v in value.items():
        key = name(k)
        out[key] = v if _snake(k) in MAP_FIELDS else _convert(v, name)
    return out


def to_snake(body: dict[str, Any]) -> dict[str, Any]:
    """`{"stateType": 3, "projectId": "p"}` -> `{"state_type": 3, "project_id": "p"}`."""
    result: dict[str, Any] = _convert(body, _snake)
    return result


def to_camel(body: dict[str, Any]) -> dict[str, Any]:
    """`{"session_id": …, "memo": {"event_id": …}}` -> `{"sessionId": …, "memo": {"event_id": …}}`."""
    result: dict[str, Any] = _convert(body, _camel)
    return result
