"""Durability RPCs: activity timings (``ak session log --timings``), in-flight
checks against a new build (``ak deploy --check-inflight``) and migration
(``ak session migrate``)."""

from __future__ import annotations

from typing import Any

from akcli.engine.session_runner import SessionRunner
from akcli.errors import FailedPrecondition
from akcli.server.rpc import by_id, req_str, rpc
from akcli.server.state import Server
from akcli.states import SessionState
from akcli.store.interface.deployments import DeploymentRow
from akcli.store.interface.sessions import SessionRow


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 3)


@rpc("sessions", "GetTimings")
def get_timings(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """Per activity: queue, execution and journal-commit milliseconds; per
    session: the engine overhead (the sum of queue and commit times)."""
    sid = _session(srv, req_str(body, "session_id", "session ID")).session_id
    activities = []
    overhead = 0.0
    for r in srv.store.journal.activity_timings(sid):
        for part in (r.queue_s, r.commit_s):
            overhead += part or 0.0
        activities.append(
            {
                "seq": r.seq,
                "name": r.name,
                "queue_ms": _ms(r.queue_s),
                "execution_ms": _ms(r.exec_s),
                "commit_ms": _ms(r.commit_s),
            }
        )
    return {"activities": activities, "engine_overhead_ms": _ms(overhead)}


def _runner(srv: Server) -> SessionRunner:
    return srv.engine.runner


def _session(srv: Server, session_id: str) -> SessionRow:
    return by_id("session", "ses", session_id, srv.store.sessions.get)


def _project_id(srv: Server, body: dict[str, Any]) -> str:
    pid = req_str(body, "project_id")
    return by_id("project", "prj", pid, srv.store.projects.get).project_id


def _active_deployment(srv: Server, project_id: str) -> DeploymentRow:
    dep = srv.store.deployments.active_for_project(project_id)
    if dep is None:
        raise FailedPrecondition(f'project "{project_id}" has no active deployment')
    return dep


@rpc("sessions", "CheckInflight")
async def check_inflight(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """Replay every RUNNING durable session of the project against ``build_id``
    (default: the active deployment's build); nothing executes."""
    from akcli.engine import inflight

    pid = _project_id(srv, body)
    build_id = str(body.get("build_id") or "")
    if build_id:
        by_id("build", "bld", build_id, srv.store.builds.get)
    else:
        build_id = _active_deployment(srv, pid).build_id
    runner = _runner(srv)
    out = []
    for row in inflight.running_durable(srv, pid):
        if row.build_id == build_id:
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
        ses = _session(srv, sid)
        if ses.state is not SessionState.RUNNING or not ses.is_durable:
            raise FailedPrecondition(f"session {sid} is not a running durable session")
        pid = ses.project_id
    else:
        pid = _project_id(srv, body)
    # The engine's own rows of the sessions (inflight takes those).
    rows = [
        r for r in inflight.running_durable(srv, pid) if not sid or r.session_id == sid
    ]
    dep = _active_deployment(srv, pid)
    runner = _runner(srv)
    out = []
    for row in rows:
        if row.build_id == dep.build_id:
            continue
        out.append((await inflight.migrate(srv, runner, row, dep)).to_json())
    return {"build_id": dep.build_id, "sessions": out}
