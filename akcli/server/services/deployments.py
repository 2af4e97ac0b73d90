"""deployments service: create, activate, deactivate, get, list, delete (cli.md §2.6).

At most one deployment per project is ACTIVE. Deactivating (explicitly, or by
activating another) gives DRAINING while the deployment still has sessions in
state created/running, else INACTIVE; the engine finishes the drain.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from akcli.errors import BadRequest, Conflict, NotFound
from akcli.server.rpc import req_str, row_by_id, rpc
from akcli.server.services.builds import get_build
from akcli.server.services.projects import resolve
from akcli.server.state import Server
from akcli.store.db import now

ACTIVE = "DEPLOYMENT_STATE_ACTIVE"
TESTING = "DEPLOYMENT_STATE_TESTING"
DRAINING = "DEPLOYMENT_STATE_DRAINING"
INACTIVE = "DEPLOYMENT_STATE_INACTIVE"
UNSPECIFIED = "DEPLOYMENT_STATE_UNSPECIFIED"
STATES = (UNSPECIFIED, ACTIVE, TESTING, DRAINING, INACTIVE)

_SESSION_STATES = ("created", "running", "error", "completed", "stopped")


def deployment_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "deployment_id": row["deployment_id"],
        "project_id": row["project_id"],
        "build_id": row["build_id"],
        "state": row["state"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def parse_state(text: str) -> str:
    """`active`, `ACTIVE` or `DEPLOYMENT_STATE_ACTIVE` -> the enum name."""
    name = text.strip().upper().removeprefix("DEPLOYMENT_STATE_")
    full = f"DEPLOYMENT_STATE_{name}"
    if full not in STATES:
        raise BadRequest(f'invalid deployment state "{text}"')
    return full


def get_deployment(srv: Server, deployment_id: str) -> sqlite3.Row:
    return row_by_id(srv, "deployment", "dep", deployment_id)


def _has_live_sessions(c: sqlite3.Connection, deployment_id: str) -> bool:
    row = c.execute(
        "SELECT 1 FROM sessions WHERE deployment_id = ?"
        " AND state IN ('created', 'running') LIMIT 1",
        (deployment_id,),
    ).fetchone()
    return row is not None


def _deactivate(c: sqlite3.Connection, deployment_id: str, t: str) -> None:
    state = DRAINING if _has_live_sessions(c, deployment_id) else INACTIVE
    c.execute(
        "UPDATE deployments SET state = ?, updated_at = ? WHERE deployment_id = ?",
        (state, t, deployment_id),
    )


def activate_deployment(srv: Server, deployment_id: str) -> None:
    row = get_deployment(srv, deployment_id)
    t = now()
    with srv.db.tx() as c:
        others = c.execute(
            "SELECT deployment_id FROM deployments"
            " WHERE project_id = ? AND state = ? AND deployment_id != ?",
            (row["project_id"], ACTIVE, deployment_id),
        ).fetchall()
        for other in others:
            _deactivate(c, other["deployment_id"], t)
        c.execute(
            "UPDATE deployments SET state = ?, updated_at = ? WHERE deployment_id = ?",
            (ACTIVE, t, deployment_id),
        )
    srv.engine.kick()


@rpc("deployments", "Create")
def create(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    dep = body.get("deployment") or {}
    build = get_build(srv, req_str(dep, "build_id", "build ID"))
    ref = str(dep.get("project_id") or "")
    pid = resolve(srv, ref)["project_id"] if ref else build["project_id"]
    if pid != build["project_id"]:
        raise BadRequest(
            f'build "{build["build_id"]}" does not belong to project "{ref}"'
        )
    did = srv.ids.new("dep")
    t = now()
    with srv.db.tx() as c:
        c.execute(
            "INSERT INTO deployments VALUES (?, ?, ?, ?, ?, ?)",
            (did, pid, build["build_id"], INACTIVE, t, t),
        )
    return {"deployment_id": did}


@rpc("deployments", "Activate")
def activate(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    activate_deployment(srv, req_str(body, "deployment_id", "deployment ID"))
    return {}


@rpc("deployments", "Deactivate")
def deactivate(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = get_deployment(srv, req_str(body, "deployment_id", "deployment ID"))
    if row["state"] in (ACTIVE, TESTING):
        with srv.db.tx() as c:
            _deactivate(c, row["deployment_id"], now())
    return {}


@rpc("deployments", "Get")
def get(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    try:
        row = get_deployment(srv, req_str(body, "deployment_id", "deployment ID"))
    except NotFound:
        return {}
    return {"deployment": deployment_json(row)}


def _session_stats(srv: Server, deployment_id: str) -> list[dict[str, Any]]:
    rows = srv.db.all(
        "SELECT state, COUNT(*) AS n FROM sessions WHERE deployment_id = ?"
        " GROUP BY state",
        deployment_id,
    )
    counts = {r["state"]: int(r["n"]) for r in rows}
    return [
        {"state": f"SESSION_STATE_TYPE_{s.upper()}", "count": counts[s]}
        for s in _SESSION_STATES
        if s in counts
    ]


@rpc("deployments", "List")
def list_(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    where: list[str] = []
    args: list[Any] = []
    if body.get("project_id"):
        where.append("project_id = ?")
        args.append(resolve(srv, str(body["project_id"]))["project_id"])
    if body.get("build_id"):
        where.append("build_id = ?")
        args.append(str(body["build_id"]))
    if body.get("state"):
        state = parse_state(str(body["state"]))
        if state != UNSPECIFIED:
            where.append("state = ?")
            args.append(state)
    sql = "SELECT * FROM deployments"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = srv.db.all(sql + " ORDER BY created_at DESC, deployment_id DESC", *args)
    out = []
    for r in rows:
        d = deployment_json(r)
        if body.get("include_session_stats"):
            d["sessions_stats"] = _session_stats(srv, r["deployment_id"])
        out.append(d)
    return {"deployments": out}


@rpc("deployments", "Delete")
def delete(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = get_deployment(srv, req_str(body, "deployment_id", "deployment ID"))
    if row["state"] != INACTIVE:
        raise Conflict(
            f'deployment "{row["deployment_id"]}" is {row["state"]}'
            " (deactivate it first): conflict"
        )
    with srv.db.tx() as c:
        c.execute(
            "DELETE FROM deployments WHERE deployment_id = ?", (row["deployment_id"],)
        )
    return {}
