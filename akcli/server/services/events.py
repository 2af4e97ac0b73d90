"""events service: list/get/save/dispatch/redispatch, verify filters (cli.md §2.10).

Event data is stored and returned as plain JSON (not upstream's tagged value
form), the same shape the handler receives.
"""

from __future__ import annotations

from typing import Any

from akcli.engine.dispatch import insert_event
from akcli.errors import AkError, BadRequest, NotFound
from akcli.ids import is_id
from akcli.server.rpc import req_str, rpc
from akcli.server.services.connections import get_connection
from akcli.server.services.projects import get_project
from akcli.server.services.triggers import lookup
from akcli.server.state import Server
from akcli.store.interface.events import EventRow


def event_json(row: EventRow) -> dict[str, Any]:
    return {
        "event_id": row.event_id,
        "destination_id": row.destination_id,
        "event_type": row.event_type,
        "data": row.data,
        "memo": row.memo,
        "created_at": row.created_at,
        "seq": str(row.seq),  # int64 -> string in protobuf-JSON
    }


def get_event(srv: Server, event_id: str) -> EventRow | None:
    if not is_id(event_id, "evt"):
        raise BadRequest(f'invalid event ID "{event_id}"')
    return srv.store.events.get(event_id)


@rpc("events", "Get")
def get(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = get_event(srv, req_str(body, "event_id", "event ID"))
    return {"event": event_json(row)} if row is not None else {}


@rpc("events", "List")
def list_(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    project = str(body.get("project_id") or "")
    trigger = str(body.get("trigger_id") or "")
    destination = str(body.get("destination_id") or "")
    if trigger:
        row = lookup(srv, trigger, project)
        if row is None:
            raise NotFound(f'trigger "{trigger}" not found')
        destination = row.trigger_id
    elif body.get("connection_id"):
        conn = get_connection(srv, str(body["connection_id"]), project)
        destination = conn.connection_id
    project_id = ""
    if not destination and project:
        project_id = get_project(srv, project).project_id
    order = str(body.get("order") or "DESC").upper()
    if order not in ("ASC", "DESC"):
        raise BadRequest(f'invalid order "{order}": use ASC or DESC')
    rows = srv.store.events.find(
        destination_id=destination,
        project_id=project_id,
        event_type=str(body.get("event_type") or ""),
        newest_first=order == "DESC",
        limit=int(body.get("max_results") or 0),
    )
    return {"events": [event_json(r) for r in rows]}


def _store(srv: Server, body: dict[str, Any], dispatched: bool) -> str:
    ev = body.get("event") or {}
    if not isinstance(ev, dict):
        raise BadRequest("missing event")
    project = str(ev.get("project_id") or "")
    if ev.get("connection_id"):  # an integration event, as a receiver stores it
        conn = get_connection(srv, str(ev["connection_id"]), project)
        target, target_project = conn.connection_id, conn.project_id
    else:
        dest = req_str(ev, "destination_id", "destination")
        found = lookup(srv, dest, project)
        if found is None:
            raise NotFound(f'trigger "{dest}" not found')
        target = found.connection_id or found.trigger_id
        target_project = found.project_id
    data = ev.get("data") or {}
    memo = ev.get("memo") or {}
    if not isinstance(data, dict) or not isinstance(memo, dict):
        raise BadRequest("event data and memo must be objects")
    eid = insert_event(
        srv,
        destination_id=target,
        project_id=target_project,
        event_type=str(ev.get("event_type") or ""),
        data=data,
        memo={str(k): str(v) for k, v in memo.items()},
        dispatched=dispatched,
    )
    srv.engine.kick()
    return eid


@rpc("events", "Save")
def save(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """Store an event without dispatching it."""
    return {"event_id": _store(srv, body, dispatched=True)}


@rpc("dispatcher", "Dispatch")
def dispatch(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """Store an event; the engine dispatches it from the store."""
    return {"event_id": _store(srv, body, dispatched=False)}


@rpc("dispatcher", "Redispatch")
def redispatch(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """Dispatch an existing event again, as a NEW event with the same data."""
    eid = req_str(body, "event_id", "event ID")
    row = get_event(srv, eid)
    if row is None:
        raise NotFound(f'event ID "{eid}" not found')
    memo = dict(row.memo)
    memo["redispatched_from"] = row.event_id
    new = insert_event(
        srv,
        destination_id=row.destination_id,
        project_id=row.project_id,
        event_type=row.event_type,
        data=row.data,
        memo=memo,
    )
    srv.engine.kick()
    return {"event_id": new}


@rpc("events", "VerifyFilter")
def verify_filter(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    from akcli.celfilter import compile_filter

    try:
        compile_filter(str(body.get("filter") or ""))
    except ValueError as e:
        raise AkError(f"verify filter: {e}".replace("<input>", "<stdin>")) from None
    return {}
