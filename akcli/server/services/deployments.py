"""deployments service: create, activate, deactivate, get, list, delete (cli.md §2.6).

At most one deployment per project is ACTIVE. Deactivating (explicitly, or by
activating another) gives DRAINING while the deployment still has sessions in
state created/running, else INACTIVE; the engine finishes the drain.
"""

from __future__ import annotations

from typing import Any

from akcli.errors import BadRequest, Conflict, NotFound
from akcli.server.rpc import by_id, req_str, rpc
from akcli.server.services.builds import build_by_id
from akcli.server.services.projects import get_project
from akcli.server.state import Server
from akcli.states import SESSION_STATES, DeploymentState
from akcli.store.db import now
from akcli.store.interface.deployments import DeploymentRow

ACTIVE = DeploymentState.ACTIVE
TESTING = DeploymentState.TESTING
DRAINING = DeploymentState.DRAINING
INACTIVE = DeploymentState.INACTIVE
UNSPECIFIED = DeploymentState.UNSPECIFIED
STATES = (UNSPECIFIED, ACTIVE, TESTING, DRAINING, INACTIVE)


def deployment_json(row: DeploymentRow) -> dict[str, Any]:
    return {
        "deployment_id": row.deployment_id,
        "project_id": row.project_id,
        "build_id": row.build_id,
        "state": row.state.value,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def parse_state(text: str) -> DeploymentState:
    """`active`, `ACTIVE` or `DEPLOYMENT_STATE_ACTIVE` -> the enum."""
    name = text.strip().upper().removeprefix("DEPLOYMENT_STATE_")
    full = f"DEPLOYMENT_STATE_{name}"
    if full not in STATES:
        raise BadRequest(f'invalid deployment state "{text}"')
    return DeploymentState(full)


def get_deployment(srv: Server, deployment_id: str) -> DeploymentRow:
    return by_id("deployment", "dep", deployment_id, srv.store.deployments.get)


def _deactivate(srv: Server, deployment_id: str, t: str) -> None:
    live = srv.store.sessions.deployment_has_live(deployment_id)
    srv.store.deployments.set_state(deployment_id, DRAINING if live else INACTIVE, t)


def activate_deployment(srv: Server, deployment_id: str) -> None:
    row = get_deployment(srv, deployment_id)
    t = now()
    deps = srv.store.deployments
    with srv.store.tx():
        for other in deps.ids_in_state(row.project_id, ACTIVE, exclude=deployment_id):
            _deactivate(srv, other, t)
        deps.set_state(deployment_id, ACTIVE, t)
    srv.engine.kick()


@rpc("deployments", "Create")
def create(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    dep = body.get("deployment") or {}
    build = build_by_id(srv, req_str(dep, "build_id", "build ID"))
    ref = str(dep.get("project_id") or "")
    pid = get_project(srv, ref).project_id if ref else build.project_id
    if pid != build.project_id:
        raise BadRequest(f'build "{build.build_id}" does not belong to project "{ref}"')
    did = srv.ids.new("dep")
    with srv.store.tx():
        srv.store.deployments.create(did, pid, build.build_id, INACTIVE, now())
    return {"deployment_id": did}


@rpc("deployments", "Activate")
def activate(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    activate_deployment(srv, req_str(body, "deployment_id", "deployment ID"))
    return {}


@rpc("deployments", "Deactivate")
def deactivate(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = get_deployment(srv, req_str(body, "deployment_id", "deployment ID"))
    if row.state in (ACTIVE, TESTING):
        with srv.store.tx():
            _deactivate(srv, row.deployment_id, now())
    return {}


@rpc("deployments", "Get")
def get(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    try:
        row = get_deployment(srv, req_str(body, "deployment_id", "deployment ID"))
    except NotFound:
        return {}
    return {"deployment": deployment_json(row)}


def _session_stats(srv: Server, deployment_id: str) -> list[dict[str, Any]]:
    counts = srv.store.sessions.state_counts(deployment_id)
    return [
        {"state": s.wire, "count": counts[s]} for s in SESSION_STATES if s in counts
    ]


@rpc("deployments", "List")
def list_(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    pid = ""
    if body.get("project_id"):
        pid = get_project(srv, str(body["project_id"])).project_id
    state = parse_state(str(body["state"])) if body.get("state") else None
    rows = srv.store.deployments.find(
        project_id=pid,
        build_id=str(body.get("build_id") or ""),
        state=None if state is UNSPECIFIED else state,
    )
    out = []
    for r in rows:
        d = deployment_json(r)
        if body.get("include_session_stats"):
            d["sessions_stats"] = _session_stats(srv, r.deployment_id)
        out.append(d)
    return {"deployments": out}


@rpc("deployments", "Delete")
def delete(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = get_deployment(srv, req_str(body, "deployment_id", "deployment ID"))
    if row.state is not INACTIVE:
        raise Conflict(
            f'deployment "{row.deployment_id}" is {row.state.value}'
            " (deactivate it first): conflict"
        )
    with srv.store.tx():
        srv.store.deployments.delete(row.deployment_id)
    return {}
