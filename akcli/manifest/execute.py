"""Execute planned actions through an `Executor` (the server client, or a fake).

Prints upstream's `[exec] <type> "<key>": <id> <effect>` lines. There is no
rollback: a failure leaves earlier actions applied, and is re-raised as
`action <type> <key>: <reason>` with the original error's exit code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from akcli.errors import AkError
from akcli.manifest.actions import Action
from akcli.manifest.model import TriggerSpec, spec_from_trigger_dict


class Executor(Protocol):
    def create_project(self, name: str, display_name: str) -> str: ...

    def update_project(self, project_id: str, name: str, display_name: str) -> None: ...

    def set_var(
        self,
        scope_id: str,
        name: str,
        value: str,
        is_secret: bool,
        description: str,
    ) -> None: ...

    def delete_var(self, scope_id: str, name: str) -> None: ...

    def create_connection(
        self, project_id: str, name: str, integration: str
    ) -> str: ...

    def update_connection(self, connection_id: str, integration: str) -> None: ...

    def delete_connection(self, connection_id: str) -> None: ...

    def find_connection(self, key: str) -> str:
        """The ID of connection `<project>/<conn>`; raises AkError if absent."""
        ...

    def create_trigger(
        self, project_id: str, spec: TriggerSpec
    ) -> tuple[str, str | None]: ...

    def update_trigger(self, trigger_id: str, spec: TriggerSpec) -> None: ...

    def delete_trigger(self, trigger_id: str) -> None: ...


@dataclass
class ExecResult:
    """`project_id` is the ID of a project created by the plan, if any.

    `suggestions` are the `[!!!!] …` lines the caller prints to stderr.
    """

    project_id: str | None = None
    suggestions: list[str] = field(default_factory=list)
    connections: dict[str, str] = field(default_factory=dict)  # key -> created ID


def execute(
    actions: list[Action], executor: Executor, echo: Callable[[str], None]
) -> ExecResult:
    result = ExecResult()
    created: dict[str, str] = {}  # project name -> id, for later actions

    def project_id(scope: str, name: object) -> str:
        if scope:
            return scope
        if isinstance(name, str) and name in created:
            return created[name]
        raise AkError(f'project "{name}" not found')

    for action in actions:
        try:
            _run(action, executor, echo, result, created, project_id)
        except AkError as e:
            raise type(e)(f"action {action.type} {action.key}: {e}") from e
    return result


def _run(
    action: Action,
    executor: Executor,
    echo: Callable[[str], None],
    result: ExecResult,
    created: dict[str, str],
    project_id: Callable[[str, object], str],
) -> None:
    b = action.body
    prefix = f'[exec] {action.type} "{action.key}":'
    if action.type == "create_project":
        name, display = b["project"]["name"], b["project"].get("display_name", "")
        pid = executor.create_project(name, display)
        created[name] = pid
        result.project_id = pid
        echo(f"{prefix} {pid} created")
    elif action.type == "update_project":
        p = b["project"]
        executor.update_project(p["project_id"], p["name"], p.get("display_name", ""))
        echo(f"{prefix} {p['project_id']} updated")
    elif action.type == "create_connection":
        pid = project_id("", b["project"])
        cid = executor.create_connection(pid, b["connection"]["name"], b["integration"])
        result.connections[action.key] = cid
        echo(f"{prefix} {cid} created")
    elif action.type == "update_connection":
        c = b["connection"]
        executor.update_connection(c["connection_id"], c.get("integration", ""))
        echo(f"{prefix} {c['connection_id']} updated")
    elif action.type == "delete_connection":
        executor.delete_connection(b["connection_id"])
        echo(f"{prefix} {b['connection_id']} deleted")
    elif action.type == "set_var":
        v = b["var"]
        if b.get("connection"):  # a connection var: its connection is the scope
            key = str(b["connection"])
            scope = (
                v.get("scope_id")
                or result.connections.get(key)
                or executor.find_connection(key)
            )
        else:
            scope = project_id(v.get("scope_id", ""), b.get("project"))
        executor.set_var(
            scope,
            v["name"],
            v.get("value", ""),
            bool(v.get("is_secret", False)),
            v.get("description", ""),
        )
        echo(f"{prefix} {scope} updated")
    elif action.type == "delete_var":
        executor.delete_var(b["scope_id"], b["var_name"])
        echo(f"{prefix} {b['scope_id']} deleted")
    elif action.type == "create_trigger":
        t = b["trigger"]
        pid = project_id(t.get("project_id", ""), b.get("project"))
        spec = _with_connection(spec_from_trigger_dict(t), b.get("connection"))
        tid, slug = executor.create_trigger(pid, spec)
        echo(f"{prefix} {tid} created")
        if slug:
            result.suggestions.append(
                f'[!!!!] trigger "{spec.name}" created, '
                f'webhook path is "/webhooks/{slug}"'
            )
    elif action.type == "update_trigger":
        t = b["trigger"]
        spec = _with_connection(spec_from_trigger_dict(t), b.get("connection"))
        executor.update_trigger(t["trigger_id"], spec)
        echo(f"{prefix} {t['trigger_id']} updated")
    elif action.type == "delete_trigger":
        executor.delete_trigger(b["trigger_id"])
        echo(f"{prefix} {b['trigger_id']} deleted")
    else:
        raise AkError(f"unknown action type {action.type!r}")


def _with_connection(spec: TriggerSpec, key: object) -> TriggerSpec:
    """A connection trigger's spec names its connection (`<project>/<conn>`)."""
    if isinstance(key, str) and key:
        return replace(spec, connection=key.rpartition("/")[2])
    return spec
