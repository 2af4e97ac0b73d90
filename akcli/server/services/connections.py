"""connections service: per-project credentials for one integration.

A connection's vars are rows of `vars` whose scope is the connection ID, so
they share the var code: values of keys the integration marks secret are
encrypted at rest and leave the server only when a caller asks to `reveal`.
They reach the runner as `<conn>__<key>` (plus `<conn>__connection_id`).
"""

from __future__ import annotations

import secrets
from typing import Any

from akcli import integrations
from akcli.engine.session_env import plain_vars
from akcli.errors import AlreadyExists, BadRequest, NotFound
from akcli.ids import is_id
from akcli.secrets import SECRET_MASK
from akcli.server import conntest
from akcli.server.conntest import status
from akcli.server.rpc import req_str, rpc
from akcli.server.services.projects import get_project, resolve_scoped
from akcli.server.services.vars import check_var_name, set_vars
from akcli.server.state import Server
from akcli.store.db import now
from akcli.store.interface.connections import ConnectionRow

# Keys the server generates when a connection is created (shown by `get`).
_GENERATED = {"github": ("pat_key", "pat_secret"), "telegram": ("secret_token",)}


def get_connection(srv: Server, ref: str, project: str = "") -> ConnectionRow:
    """A connection by ID, `project/name`, or `name` with a project."""
    if is_id(ref, "con"):
        row = srv.store.connections.get(ref)
    else:
        pid, name = resolve_scoped(srv, "connection", ref, project)
        row = srv.store.connections.by_name(pid, name)
    if row is None:
        raise NotFound("connection: not_found")
    return row


def values(srv: Server, connection_id: str) -> dict[str, str]:
    """The connection's vars in plaintext (server-side use only)."""
    return plain_vars(srv, connection_id)


def receiver_urls(srv: Server, row: ConnectionRow) -> list[str]:
    """The URLs to paste into the provider's webhook settings."""
    integ = integrations.by_name(row.integration)
    if not integ.receivers:
        return []
    vals = {"connection_id": row.connection_id}
    for v in srv.store.vars.in_scope(row.connection_id):
        if not v.is_secret:
            vals[v.name] = v.value
    base = srv.service_url.rstrip("/")
    return [base + path.format_map(vals) for path in integ.receivers]


def connection_json(srv: Server, row: ConnectionRow) -> dict[str, Any]:
    cid = row.connection_id
    integ = integrations.by_name(row.integration)
    out: dict[str, Any] = {
        "connection_id": cid,
        "integration_id": integ.integration_id,
        "integration": integ.unique_name,
        "project_id": row.project_id,
        "name": row.name,
        "status": status(srv, row),
        "capabilities": {"supports_connection_test": bool(integ.required)},
        "links": {
            "self_url": f"/connections/{cid}",
            "test_url": f"/connections/{cid}/test",
        },
    }
    urls = receiver_urls(srv, row)
    if urls:
        out["webhook_urls"] = urls
    return out


def var_list(srv: Server, connection_id: str, reveal: bool) -> list[dict[str, Any]]:
    out = []
    for r in srv.store.vars.in_scope(connection_id):
        value = r.value
        if r.is_secret:
            value = srv.cipher.decrypt(value) if reveal else SECRET_MASK
        out.append({"name": r.name, "value": value, "is_secret": r.is_secret})
    return out


def store_vars(srv: Server, row: ConnectionRow, vars_: list[dict[str, Any]]) -> None:
    """Set connection vars; the integration's secret keys are always encrypted."""
    integ = integrations.by_name(row.integration)
    fixed = []
    for v in vars_:
        name = check_var_name(str(v.get("name") or ""))
        fixed.append(
            {
                "name": name,
                "value": str(v.get("value") or ""),
                "is_secret": integ.is_secret(name) or bool(v.get("is_secret")),
                "description": str(v.get("description") or ""),
            }
        )
    set_vars(srv, row.connection_id, fixed)
    _changed(srv)


def _changed(srv: Server) -> None:
    """Tell the event sources (Socket Mode, gateway) to look again."""
    sources = srv.extras.get("event_sources")
    if sources is not None:
        sources.reconcile()


def create_connection(srv: Server, project: str, name: str, integration: str) -> str:
    pid = get_project(srv, project).project_id
    check_var_name(name)
    integ = integrations.find(integration)
    if srv.store.connections.by_name(pid, name) is not None:
        raise AlreadyExists(f'connection "{name}": already_exists')
    cid = srv.ids.new("con")
    ts = now()
    with srv.store.tx():
        srv.store.connections.create(cid, pid, name, integ.unique_name, ts)
        gen = [
            {"name": k, "value": secrets.token_urlsafe(24 if k != "pat_key" else 12)}
            for k in _GENERATED.get(integ.unique_name, ())
        ]
        if gen:
            row = ConnectionRow(cid, pid, name, integ.unique_name, ts, ts)
            store_vars(srv, row, gen)
    return cid


@rpc("connections", "Create")
def create(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    c = body.get("connection") or {}
    if not isinstance(c, dict):
        raise BadRequest("missing connection")
    integration = str(c.get("integration_id") or c.get("integration") or "")
    if not integration:
        raise BadRequest('required flag(s) "integration" not set')
    cid = create_connection(
        srv,
        req_str(c, "project_id", "project"),
        req_str(c, "name", "connection name"),
        integration,
    )
    return {"connection_id": cid}


@rpc("connections", "Update")
def update(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    c = body.get("connection") or {}
    row = get_connection(srv, req_str(c, "connection_id", "connection ID"))
    integ = integrations.find(str(c.get("integration") or row.integration))
    with srv.store.tx():
        srv.store.connections.set_integration(
            row.connection_id, integ.unique_name, now()
        )
    _changed(srv)
    return {}


@rpc("connections", "Get")
def get(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    ref = str(body.get("connection_id") or body.get("name") or "")
    if not ref:
        raise BadRequest("missing connection")
    try:
        row = get_connection(srv, ref, str(body.get("project_id") or ""))
    except NotFound:
        return {}
    out = connection_json(srv, row)
    if body.get("with_vars"):
        out["vars"] = var_list(srv, row.connection_id, bool(body.get("reveal")))
    return {"connection": out}


@rpc("connections", "List")
def list_(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    pid = integration = ""
    if body.get("project_id"):
        pid = get_project(srv, str(body["project_id"])).project_id
    if body.get("integration"):
        integration = integrations.find(str(body["integration"])).unique_name
    rows = srv.store.connections.find(pid, integration)
    return {"connections": [connection_json(srv, r) for r in rows]}


def delete_connection(srv: Server, row: ConnectionRow) -> None:
    cid = row.connection_id
    with srv.store.tx():  # the connection with its triggers and vars, or nothing
        srv.store.triggers.delete_on_connection(cid)
        srv.store.vars.delete_scope(cid)
        srv.store.connections.delete(cid)
    _changed(srv)


@rpc("connections", "Delete")
def delete(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    try:
        row = get_connection(srv, req_str(body, "connection_id", "connection ID"))
    except NotFound:
        raise NotFound("delete connection: not_found") from None
    delete_connection(srv, row)
    return {}


@rpc("connections", "SetVars")
def set_vars_rpc(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """`{connection_id, vars: [{name, value}]}`."""
    row = get_connection(srv, req_str(body, "connection_id", "connection ID"))
    vars_ = body.get("vars")
    if not isinstance(vars_, list) or not all(isinstance(v, dict) for v in vars_):
        raise BadRequest("missing vars")
    store_vars(srv, row, vars_)
    return {"connection": connection_json(srv, row)}


@rpc("connections", "Test")
async def test(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = get_connection(srv, req_str(body, "connection_id", "connection ID"))
    return await conntest.run_test(srv, row)
