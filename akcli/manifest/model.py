"""The manifest data model and the server-side state it is planned against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

SourceType = Literal["webhook", "schedule", "connection"]

SOURCE_TYPE_ENUMS: dict[str, str] = {
    "webhook": "SOURCE_TYPE_WEBHOOK",
    "schedule": "SOURCE_TYPE_SCHEDULE",
    "connection": "SOURCE_TYPE_CONNECTION",
}


def source_type_name(value: str) -> str:
    """`SOURCE_TYPE_WEBHOOK` or `webhook` → `webhook`."""
    v = value.strip().lower()
    return v.removeprefix("source_type_")


@dataclass(frozen=True)
class VarSpec:
    name: str
    value: str = ""
    is_secret: bool = False
    description: str = ""


@dataclass(frozen=True)
class TriggerSpec:
    name: str
    source_type: SourceType
    event_type: str = ""
    filter: str = ""
    call: tuple[str, str] | None = None  # (path, function name)
    is_durable: bool = False
    is_sync: bool = False
    schedule: str = ""
    webhook_marker: bool = False  # written as `webhook: {}`
    connection: str | None = None  # the connection's name (connection triggers)


@dataclass(frozen=True)
class ConnectionSpec:
    name: str
    integration: str
    vars: tuple[VarSpec, ...] = ()


@dataclass(frozen=True)
class ProjectSpec:
    name: str = ""
    display_name: str = ""
    vars: tuple[VarSpec, ...] = ()
    triggers: tuple[TriggerSpec, ...] = ()
    connections: tuple[ConnectionSpec, ...] = ()


@dataclass(frozen=True)
class Manifest:
    version: str
    project: ProjectSpec | None = None


def trigger_key(project: str, spec: TriggerSpec) -> str:
    """`<project>:<what>/<name>` as in upstream's plan and exec lines."""
    if spec.schedule:
        what = f"schedule:{spec.schedule}"
    elif spec.webhook_marker:
        what = "webhook"
    elif spec.connection:
        what = f"connection:{project}/{spec.connection}"
    else:
        what = ""
    return f"{project}:{what}/{spec.name}"


class ExistingVar(NamedTuple):
    """A project var as the server has it (secret values must be revealed)."""

    name: str
    value: str
    is_secret: bool = False
    description: str = ""


class ExistingConnection(NamedTuple):
    """A project's connection as the server has it (vars revealed)."""

    connection_id: str
    name: str
    integration: str
    vars: list[ExistingVar]


@dataclass(frozen=True)
class CurrentState:
    """The existing project as the server has it.

    `triggers` are protobuf-JSON trigger dicts as the server returns them:
    `trigger_id`, `name`, `source_type` (`SOURCE_TYPE_WEBHOOK` or `webhook`),
    `event_type`, `filter`, `code_location` (`{"path", "name"}`), `is_durable`,
    `is_sync`, `schedule`, `webhook_slug`, and `connection` (the name of a
    connection trigger's connection); missing keys mean the default.
    """

    project_id: str
    name: str
    display_name: str = ""
    vars: list[ExistingVar] = field(default_factory=list)
    triggers: list[dict[str, Any]] = field(default_factory=list)
    connections: list[ExistingConnection] = field(default_factory=list)


def spec_from_trigger_dict(t: dict[str, Any]) -> TriggerSpec:
    """Rebuild a TriggerSpec from a protobuf-JSON trigger dict."""
    loc = t.get("code_location") or {}
    call = (str(loc.get("path", "")), str(loc.get("name", ""))) if loc else None
    st = source_type_name(str(t.get("source_type", "")))
    if st not in SOURCE_TYPE_ENUMS:
        raise ValueError(f"unknown source type {t.get('source_type')!r}")
    source_type: SourceType = st  # type: ignore[assignment]
    return TriggerSpec(
        name=str(t.get("name", "")),
        source_type=source_type,
        event_type=str(t.get("event_type", "") or ""),
        filter=str(t.get("filter", "") or ""),
        call=call if call and call[0] else None,
        is_durable=bool(t.get("is_durable", False)),
        is_sync=bool(t.get("is_sync", False)),
        schedule=str(t.get("schedule", "") or ""),
        webhook_marker=st == "webhook",
        connection=str(t.get("connection") or "") or None,
    )


def trigger_to_json(spec: TriggerSpec) -> dict[str, Any]:
    """Protobuf-JSON of a trigger: snake_case, defaults omitted."""
    out: dict[str, Any] = {
        "name": spec.name,
        "source_type": SOURCE_TYPE_ENUMS[spec.source_type],
    }
    if spec.event_type:
        out["event_type"] = spec.event_type
    if spec.call is not None:
        loc = {"path": spec.call[0]}
        if spec.call[1]:
            loc["name"] = spec.call[1]
        out["code_location"] = loc
    if spec.filter:
        out["filter"] = spec.filter
    if spec.is_durable:
        out["is_durable"] = True
    if spec.is_sync:
        out["is_sync"] = True
    if spec.schedule:
        out["schedule"] = spec.schedule
    return out
