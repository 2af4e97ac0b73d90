"""triggers service: create/update/get/list/delete (cli.md §2.8, §4.4, §6).

Webhook triggers get a slug when created (the trigger ID is minted first, then
the slug, as upstream's test-mode ID order shows); an update keeps it. Schedules,
time zones and CEL filters are validated here so a bad trigger never reaches
the dispatcher or the scheduler.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from akcli.errors import AlreadyExists, BadRequest, NotFound
from akcli.ids import is_id
from akcli.server.rpc import req_str, rpc
from akcli.server.services.projects import get_project, resolve_scoped
from akcli.server.state import Server
from akcli.store.db import now
from akcli.store.interface.triggers import TriggerRow

WEBHOOK = "SOURCE_TYPE_WEBHOOK"
SCHEDULE = "SOURCE_TYPE_SCHEDULE"
CONNECTION = "SOURCE_TYPE_CONNECTION"
SOURCE_TYPES = (WEBHOOK, SCHEDULE, CONNECTION)


def source_type(text: str) -> str:
    """`webhook`, `WEBHOOK` or `SOURCE_TYPE_WEBHOOK` -> `SOURCE_TYPE_WEBHOOK`."""
    full = "SOURCE_TYPE_" + text.strip().upper().removeprefix("SOURCE_TYPE_")
    if full not in SOURCE_TYPES:
        raise BadRequest(f'invalid source type "{text}"')
    return full


def webhook_url(srv: Server, slug: str) -> str:
    return f"{srv.service_url.rstrip('/')}/webhooks/{slug}"


def trigger_json(row: TriggerRow) -> dict[str, Any]:
    """Protobuf-JSON of a trigger (the Renderer drops default values)."""
    return {
        "trigger_id": row.trigger_id,
        "name": row.name,
        "source_type": row.source_type,
        "project_id": row.project_id,
        "event_type": row.event_type,
        "code_location": {"path": row.code_path, "name": row.code_name},
        "filter": row.filter,
        "is_durable": row.is_durable,
        "is_sync": row.is_sync,
        "schedule": row.schedule,
        "timezone": row.timezone,
        "webhook_slug": row.webhook_slug or "",
        "connection_id": row.connection_id,
    }


def get_trigger(srv: Server, trigger_id: str) -> TriggerRow:
    row = srv.store.triggers.get(trigger_id)
    if row is None:
        raise NotFound(f'trigger ID "{trigger_id}" not found')
    return row


def lookup(srv: Server, ref: str, project: str = "") -> TriggerRow | None:
    """A trigger by ID, `project/name`, or `name` with a project; None if absent."""
    if is_id(ref, "trg"):
        return srv.store.triggers.get(ref)
    pid, name = resolve_scoped(srv, "trigger", ref, project)
    return srv.store.triggers.by_name(pid, name)


class _Fields:
    """The validated, normalised fields of a trigger from a request."""

    def __init__(self, t: dict[str, Any], name: str) -> None:
        self.name = name
        self.event_type = str(t.get("event_type") or "")
        self.filter = str(t.get("filter") or "")
        loc = t.get("code_location") or {}
        if not isinstance(loc, dict):
            raise BadRequest("invalid code_location")
        self.code_path = str(loc.get("path") or "")
        self.code_name = str(loc.get("name") or "")
        self.is_durable = bool(t.get("is_durable"))
        self.is_sync = bool(t.get("is_sync"))
        self.schedule = str(t.get("schedule") or "")
        self.timezone = str(t.get("timezone") or "")
        raw_type = str(t.get("source_type") or "")
        if not raw_type or raw_type == "SOURCE_TYPE_UNSPECIFIED":
            raw_type = SCHEDULE if self.schedule else WEBHOOK
        self.source_type = source_type(raw_type)
        self.validate()

    def validate(self) -> None:
        if self.source_type == SCHEDULE:
            if not self.schedule:
                raise BadRequest(f'trigger "{self.name}": missing schedule')
            from akcli import cronexpr

            try:
                cronexpr.parse(self.schedule, self.timezone)
            except ValueError as e:
                raise BadRequest(f'trigger "{self.name}": {e}') from None
        elif self.schedule:
            raise BadRequest(
                f'trigger "{self.name}": schedule is only valid for schedule triggers'
            )
        elif self.timezone:
            raise BadRequest(
                f'trigger "{self.name}": timezone is only valid for schedule triggers'
            )
        if self.timezone:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise BadRequest(
                    f'trigger "{self.name}": unknown time zone "{self.timezone}"'
                ) from None
        if self.filter:
            from akcli.celfilter import compile_filter

            try:
                compile_filter(self.filter)
            except ValueError as e:
                raise BadRequest(
                    f'trigger "{self.name}": invalid filter: {e}'
                ) from None
        if self.code_name and not self.code_path:
            raise BadRequest(f'trigger "{self.name}": call has no file')

    def editable(self) -> dict[str, Any]:
        """The TriggerRow fields a request sets (on create and on update)."""
        return {
            "name": self.name,
            "event_type": self.event_type,
            "filter": self.filter,
            "code_path": self.code_path,
            "code_name": self.code_name,
            "is_durable": self.is_durable,
            "is_sync": self.is_sync,
            "schedule": self.schedule,
            "timezone": self.timezone,
        }


def _connection(srv: Server, t: dict[str, Any], pid: str, f: _Fields) -> str:
    """The connection ID of a connection trigger ('' for the other types)."""
    ref = str(t.get("connection_id") or t.get("connection") or "")
    if f.source_type != CONNECTION:
        if ref:
            raise BadRequest(
                f'trigger "{f.name}": connection is only valid for connection triggers'
            )
        return ""
    if not ref:
        raise BadRequest(f'trigger "{f.name}": missing connection')
    from akcli.server.services.connections import get_connection

    row = get_connection(srv, ref, pid)
    if row.project_id != pid:
        raise BadRequest(f'trigger "{f.name}": connection of another project')
    return row.connection_id


@rpc("triggers", "Create")
def create(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    t = body.get("trigger") or {}
    if not isinstance(t, dict):
        raise BadRequest("missing trigger")
    pid = get_project(srv, req_str(t, "project_id", "project")).project_id
    name = req_str(t, "name", "trigger name")
    f = _Fields(t, name)
    conn_id = _connection(srv, t, pid, f)
    if srv.store.triggers.by_name(pid, name) is not None:
        raise AlreadyExists(f'trigger "{name}": already_exists')
    tid = srv.ids.new("trg")
    slug = srv.ids.slug() if f.source_type == WEBHOOK else None
    ts = now()
    row = TriggerRow(
        trigger_id=tid,
        project_id=pid,
        source_type=f.source_type,
        **f.editable(),
        webhook_slug=slug,
        created_at=ts,
        updated_at=ts,
        connection_id=conn_id,
    )
    with srv.store.tx():
        srv.store.triggers.create(row)
    srv.engine.kick()
    out = {"trigger_id": tid}
    if slug:
        out["webhook_slug"] = slug
    return out


@rpc("triggers", "Update")
def update(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    t = body.get("trigger") or {}
    if not isinstance(t, dict):
        raise BadRequest("missing trigger")
    row = get_trigger(srv, req_str(t, "trigger_id", "trigger ID"))
    name = str(t.get("name") or row.name)
    f = _Fields(t, name)
    if f.source_type != row.source_type:
        raise BadRequest("source type cannot be updated")
    clash = srv.store.triggers.by_name(row.project_id, name)  # (project, name) unique
    if clash is not None and clash.trigger_id != row.trigger_id:
        raise AlreadyExists(f'trigger "{name}": already_exists')
    new = dataclasses.replace(row, **f.editable(), updated_at=now())
    with srv.store.tx():
        srv.store.triggers.update(new)
        if f.schedule != row.schedule or f.timezone != row.timezone:
            # A changed schedule starts afresh (no catch-up for the old one).
            srv.store.triggers.clear_last_fire(row.trigger_id)
    srv.engine.kick()
    return {}


@rpc("triggers", "Get")
def get(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    ref = str(body.get("trigger_id") or "")
    project = str(body.get("project_id") or "")
    name = str(body.get("name") or "")
    if not ref and not name:
        raise BadRequest("missing trigger")
    try:
        row = lookup(srv, ref or name, project)
    except NotFound:
        return {}
    if row is None:
        return {}
    j = trigger_json(row)
    if row.webhook_slug:
        j["webhook_url"] = webhook_url(srv, row.webhook_slug)
    return {"trigger": j}


@rpc("triggers", "List")
def list_(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    ref = str(body.get("project_id") or "")
    if body.get("connection_id"):
        from akcli.server.services.connections import get_connection

        cid = get_connection(srv, str(body["connection_id"]), ref).connection_id
        # The connection exists, so joining it drops no trigger.
        rows = [r.trigger for r in srv.store.triggers.on_connection(cid)]
    elif ref:
        rows = srv.store.triggers.for_project(get_project(srv, ref).project_id)
    else:
        rows = srv.store.triggers.list_all()
    out = []
    for r in rows:
        j = trigger_json(r)
        if r.webhook_slug:
            j["webhook_url"] = webhook_url(srv, r.webhook_slug)
        out.append(j)
    return {"triggers": out}


@rpc("triggers", "Delete")
def delete(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    tid = req_str(body, "trigger_id", "trigger ID")
    row = get_trigger(srv, tid)
    with srv.store.tx():
        # schedule_state goes with the trigger (the schema cascades it).
        srv.store.triggers.delete(row.trigger_id)
    return {}
