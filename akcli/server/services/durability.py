"""Durability RPCs: activity timings (``ak session log --timings``), in-flight
checks against a new build (``ak deploy --check-inflight``) and migration
(``ak session migrate``)."""

from __future__ import annotations

from typing import Any

from akcli.engine.session_runner import SessionRunner
from akcli.errors import FailedPrecondition
from akcli.server.rpc import req_str, row_by_id, rpc
from akcli.server.state import Server


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 3)


@rpc("sessions", "GetTimings")
def get_timings(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """Per activity: queue, execution and journal-commit milliseconds; per
    session: the engine overhead (the sum of queue and commit times)."""
    sid = req_str(body, "session_id", "session ID")
    row_by_id(srv, "session", "ses", sid)
    rows = srv.db.all(
        "SELECT seq, name, site, queue_s, exec_s, commit_s FROM journal"
        " WHERE session_id = ? AND kind = 'pickle' ORDER BY seq",
        sid,
    )
    activities = []
    overhead = 0.0
    for r in rows:
        for part in (r["queue_s"], r["commit_s"]):
            overhead += part or 0.0
        activities.append(
            {
                "seq": r["seq"],
                "name": r["name"],
                "queue_ms": _ms(r["queue_s"]),
                "execution_ms": _ms(r["exec_s"]),
                "commit_ms": _ms(r["commit_s"]),
            }
        )
    return {"activities": activities, "engine_overhead_ms": _ms(overhead)}


def _runner(srv: Server) -> SessionRunner:
    return srv.engine.runner


def _active_deployment(srv: Server, project_id: str) -> Any:
    dep = srv.db.one(
        "SELECT * FROM deployments WHERE project_id = ? AND state = ?"
        " ORDER BY created_at DESC, deployment_id DESC LIMIT 1",
        project_id,
        "DEPLOYMENT_STATE_ACTIVE",
    )
    if dep is None:
        raise FailedPrecondition(f'project "{project_id}" has no active deployment')
    return dep


@rpc("sessions", "CheckInflight")
async def check_inflight(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """Replay every RUNNING durable session of the project against ``build_id``
    (default: the active deployment's build); nothing executes."""
    from akcli.engine import inflight

    pid = row_by_id(srv, "project", "prj", req_str(body, "project_id"))["project_id"]
    build_id = str(body.get("build_id") or "")
    if build_id:
        row_by_id(srv, "build", "bld", build_id)
    else:
        build_id = _active_deployment(srv, pid)["build_id"]
    runner = _runner(srv)
    out = []
    for row in inflight.running_durable(srv, pid):
        if row["build_id"] == build_id:
            continue  # already on it
        out.append((await inflight.check(srv, runner, row, build_id)).to_json())
    return {"build_id": build_id, "sessions": out}


@rpc("sessions", "Migrate")
async def migrate(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """Move a RUNNING durable session (``session_id``), or every one of
    ``project_id`` that replays cleanly, to the project's active build."""
    from akcli.engine import inflight

    sid = str(body.get("session_id") or "")
    if sid:
        row = row_by_id(srv, "session", "ses", sid)
        if row["state"] != "running" or not row["is_durable"]:
            raise FailedPrecondition(f"session {sid} is not a running durable session")
        rows = [row]
        pid = row["project_id"]
    else:
        pid = row_by_id(srv, "project", "prj", req_str(body, "project_id"))[
            "project_id"
        ]
        rows = inflight.running_durable(srv, pid)
    dep = _active_deployment(srv, pid)
    runner = _runner(srv)
    out = []
    for row in rows:
        if row["build_id"] == dep["build_id"]:
            continue
        out.append((await inflight.migrate(srv, runner, row, dep)).to_json())
    return {"build_id": dep["build_id"], "sessions": out}
