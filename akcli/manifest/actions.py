"""A manifest plan's actions in upstream's action JSON shape.

`ak manifest plan -J` prints them and `ak manifest apply`/`exec` reads them
back (`actions_from_json` checks each action's body before anything runs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from akcli.errors import BadRequest
from akcli.manifest.model import spec_from_trigger_dict

__all__ = ["ACTION_TYPES", "Action", "actions_from_json", "actions_to_json"]

ACTION_TYPES = (
    "create_project",
    "update_project",
    "create_connection",
    "update_connection",
    "delete_connection",
    "set_var",
    "delete_var",
    "create_trigger",
    "update_trigger",
    "delete_trigger",
)


@dataclass(frozen=True)
class Action:
    """One step of a plan, in upstream's action JSON shape (see `to_json`).

    `body` is the `action` object without its `key`.
    """

    type: str
    key: str
    body: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "action": {"key": self.key, **self.body}}


def actions_to_json(actions: list[Action]) -> list[dict[str, Any]]:
    return [a.to_json() for a in actions]


def actions_from_json(text: str) -> list[Action]:
    """Parse `ak manifest plan -J` output; raise BadRequest `invalid plan input`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise BadRequest(f"invalid plan input: {e}") from None
    if not isinstance(data, list):
        raise BadRequest("invalid plan input: expected a JSON array of actions")
    actions = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("action"), dict):
            raise BadRequest(f"invalid plan input: action {i}: expected an object")
        typ = item.get("type")
        if typ not in ACTION_TYPES:
            raise BadRequest(f"invalid plan input: action {i}: unknown type {typ!r}")
        body = dict(item["action"])
        key = body.pop("key", "")
        if not isinstance(key, str):
            raise BadRequest(f"invalid plan input: action {i}: key is not a string")
        try:
            _check_body(str(typ), body)
        except (KeyError, TypeError, ValueError) as e:
            raise BadRequest(f"invalid plan input: action {i} ({typ}): {e}") from None
        actions.append(Action(str(typ), key, body))
    return actions


def _check_body(typ: str, body: dict[str, Any]) -> None:
    def need(obj: Any, name: str, kind: type) -> Any:
        if not isinstance(obj, dict) or not isinstance(obj.get(name), kind):
            raise ValueError(f"missing or invalid {name!r}")
        return obj[name]

    if typ in ("create_project", "update_project"):
        need(need(body, "project", dict), "name", str)
        if typ == "update_project":
            need(body["project"], "project_id", str)
    elif typ == "create_connection":
        need(need(body, "connection", dict), "name", str)
        need(body, "project", str)
        need(body, "integration", str)
    elif typ == "update_connection":
        need(need(body, "connection", dict), "connection_id", str)
    elif typ == "delete_connection":
        need(body, "connection_id", str)
    elif typ == "set_var":
        need(need(body, "var", dict), "name", str)
        if not body["var"].get("scope_id") and not body.get("connection"):
            need(body, "project", str)
    elif typ == "delete_var":
        need(body, "scope_id", str)
        need(body, "var_name", str)
    elif typ in ("create_trigger", "update_trigger"):
        trg = need(body, "trigger", dict)
        spec_from_trigger_dict(trg)
        if typ == "update_trigger":
            need(trg, "trigger_id", str)
        elif not trg.get("project_id"):
            need(body, "project", str)
    elif typ == "delete_trigger":
        need(body, "trigger_id", str)
