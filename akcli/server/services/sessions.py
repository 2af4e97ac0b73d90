"""sessions service: start, get, list, prints, log, stop, restart, delete, resolve.

Sessions are run by the engine (akcli/engine); this service only creates rows
(through `create_session`), reads what the engine wrote (sessions, session_logs,
session_prints) and asks the engine to stop a session.
"""

from __future__ import annotations

import json
import re
from typing import Any

from akcli.engine.sessions_store import create_session
from akcli.errors import AkError, BadRequest, FailedPrecondition, NotFound
from akcli.ids import is_id
from akcli.server.rpc import by_id, req_str, rpc
from akcli.server.services.projects import NAME_RE, get_project
from akcli.server.state import Server
from akcli.states import SESSION_STATES, SessionState
from akcli.store.interface.builds import BuildRow
from akcli.store.interface.sessions import SessionFilter, SessionRow
from runner.entrypoint import parse_entrypoint

STATES = SESSION_STATES


def parse_state(text: str) -> SessionState | None:
    """`error`, `ERROR` or `SESSION_STATE_TYPE_ERROR` -> ERROR; `unspecified`: None."""
    name = text.strip().upper().removeprefix("SESSION_STATE_TYPE_").lower()
    if name == "unspecified":
        return None
    if name not in STATES:
        raise BadRequest(f'invalid session state "{text}"')
    return SessionState(name)


def _state_name(value: object) -> str:
    """Upstream's `state_type` may be the enum number: 1 created ... 5 stopped."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= len(STATES):
            raise BadRequest(f"invalid session state {value}")
        return "unspecified" if value == 0 else STATES[value - 1]
    return str(value)


def session_json(row: SessionRow, with_inputs: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "session_id": row.session_id,
        "build_id": row.build_id,
        "project_id": row.project_id,
        "deployment_id": row.deployment_id,
        "event_id": row.event_id,
        "parent_session_id": row.parent_session_id,
        "entrypoint": {"path": row.entry_path, "name": row.entry_name},
    }
    if with_inputs:
        out["inputs"] = row.inputs
    out["memo"] = row.memo
    out["state"] = row.state.wire
    out["is_durable"] = row.is_durable
    out["created_at"] = row.created_at
    out["updated_at"] = row.updated_at
    if row.error:
        out["error"] = row.error
    if row.return_value is not None and row.state is SessionState.COMPLETED:
        value = json.loads(row.return_value)
        if value is not None:
            out["return_value"] = value
    return out


def get_session(srv: Server, session_id: str) -> SessionRow:
    return by_id("session", "ses", session_id, srv.store.sessions.get)


def _build_files(build: BuildRow | None) -> set[str] | None:
    from akcli.server.services.builds import read_archive

    if build is None or not build.archive:
        return None
    try:
        return set(read_archive(bytes(build.archive)))
    except Exception:  # noqa: BLE001 - an unreadable archive fails at run time
        return None


@rpc("sessions", "Start")
def start(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    ses = body.get("session") or {}
    if not isinstance(ses, dict):
        raise BadRequest("session must be an object")
    entry = ses.get("entrypoint")
    if isinstance(entry, dict):
        path, name = str(entry.get("path") or ""), str(entry.get("name") or "")
        if not path or not name:
            raise BadRequest("missing entry point")
    elif isinstance(entry, str) and entry:
        try:
            path, name = parse_entrypoint(entry, need_name=True)
        except ValueError as e:
            raise BadRequest(str(e)) from None
    else:
        raise BadRequest("missing entry point")
    inputs = ses.get("inputs") or {}
    memo = ses.get("memo") or {}
    if not isinstance(inputs, dict) or not isinstance(memo, dict):
        raise BadRequest("inputs and memo must be objects")

    project_id = ""
    if ses.get("project_id"):
        project_id = get_project(srv, str(ses["project_id"])).project_id
    deployment_id = str(ses.get("deployment_id") or "")
    build_id = str(ses.get("build_id") or "")
    if deployment_id:
        dep = by_id("deployment", "dep", deployment_id, srv.store.deployments.get)
        if project_id and dep.project_id != project_id:
            raise BadRequest(
                f'deployment "{deployment_id}" does not belong to project'
                f' "{ses["project_id"]}"'
            )
        project_id, build_id = dep.project_id, dep.build_id
    elif project_id:
        active = srv.store.deployments.active_for_project(project_id)
        if active is None and not build_id:
            raise AkError("no active deployments found")
        if active is not None:
            deployment_id, build_id = active.deployment_id, active.build_id
    elif not build_id:
        raise BadRequest("missing deployment ID or project")
    build = srv.store.builds.get(build_id) if build_id else None
    if build_id and not project_id:
        if build is None:
            raise NotFound(f'build ID "{build_id}" not found')
        project_id = build.project_id
    files = _build_files(build)
    if files is not None and path not in files:
        raise BadRequest(f'entry point file "{path}" not found in build {build_id}')

    sid = create_session(
        srv,
        project_id=project_id,
        entry_path=path,
        entry_name=name,
        inputs=inputs,
        memo={str(k): str(v) for k, v in memo.items()},
        deployment_id=deployment_id,
        build_id=build_id,
        is_durable=bool(ses.get("is_durable")),
    )
    return {"session_id": sid}


@rpc("sessions", "Get")
def get(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    try:
        row = get_session(srv, req_str(body, "session_id", "session ID"))
    except NotFound:
        return {}
    from akcli.engine.waits import shown

    out = session_json(row, with_inputs=True)
    if row.state is SessionState.RUNNING:
        out.update(shown(srv, row.session_id))  # "wait": "waiting (evicted)"
    return {"session": out}


def _page(body: dict[str, Any], default: int, lo: int, hi: int) -> tuple[int, int]:
    """(limit, offset) from page_size, skip_rows and page_token (an offset)."""
    try:
        size = int(body.get("page_size") or default)
        skip = int(body.get("skip_rows") or 0)
        token = int(body.get("page_token") or 0)
    except (TypeError, ValueError):
        raise BadRequest("invalid page size, skip rows or page token") from None
    if skip < 0 or token < 0:
        raise BadRequest("invalid skip rows or page token")
    return max(lo, min(hi, size)), skip + token


@rpc("sessions", "List")
def list_(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    project_id = ""
    if body.get("project_id"):
        project_id = get_project(srv, str(body["project_id"])).project_id
    raw_state = body.get("state") or body.get("state_type")
    state = parse_state(_state_name(raw_state)) if raw_state else None

    def field(key: str) -> str:
        return str(body.get(key) or "")

    f = SessionFilter(
        project_id=project_id,
        deployment_id=field("deployment_id"),
        event_id=field("event_id"),
        build_id=field("build_id"),
        trigger_id=field("trigger_id"),
        state=state,
        # Time range (the web UI's filter): ISO-8601 UTC bounds on created_at.
        created_after=field("created_after"),
        created_before=field("created_before"),
    )
    limit, offset = _page(body, 50, 1, 1000)
    rows = srv.store.sessions.find(f, limit + 1, offset)
    with_inputs = bool(body.get("with_inputs"))
    out: dict[str, Any] = {
        "sessions": [session_json(r, with_inputs) for r in rows[:limit]]
    }
    if len(rows) > limit:
        out["next_page_token"] = str(offset + limit)
    return out


PRINTS_PAGE, PRINTS_PAGE_MAX = 1000, 10000
PRINTS_PAGE_BYTES = 4 << 20


@rpc("sessions", "GetPrints")
def get_prints(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    sid = get_session(srv, req_str(body, "session_id", "session ID")).session_id
    try:
        after = int(body.get("after_id") or 0)
    except (TypeError, ValueError):
        raise BadRequest("invalid after_id") from None
    limit = _page(body, PRINTS_PAGE, 1, PRINTS_PAGE_MAX)[0]
    # A page is at most `limit` prints or ~PRINTS_PAGE_BYTES.
    rows, more = srv.store.prints.page(sid, after, limit, PRINTS_PAGE_BYTES)
    out = [{"id": r.id, "t": r.t, "v": r.text} for r in rows]
    resp: dict[str, Any] = {"prints": out}
    if more:
        resp["next_page_token"] = str(out[-1]["id"])
    return resp


@rpc("sessions", "GetLog")
def get_log(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    sid = get_session(srv, req_str(body, "session_id", "session ID")).session_id
    order = str(body.get("order") or "asc").lower()
    if order not in ("asc", "desc"):
        raise BadRequest(f'invalid order "{order}": expected asc or desc')
    limit, offset = _page(body, 20, 1, 1000)
    rows = srv.store.logs.page(sid, limit + 1, offset, newest_first=order == "desc")
    out: dict[str, Any] = {"records": [{"t": r.t, **r.record} for r in rows[:limit]]}
    if len(rows) > limit:
        out["next_page_token"] = str(offset + limit)
    return out


@rpc("sessions", "Stop")
async def stop(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = get_session(srv, req_str(body, "session_id", "session ID"))
    if row.state.final:
        return {}  # as upstream: stopping an ended session is silently a no-op
    await srv.engine.stop_session(
        row.session_id, str(body.get("reason") or ""), bool(body.get("force"))
    )
    return {}


@rpc("sessions", "Restart")
def restart(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = get_session(srv, req_str(body, "session_id", "session ID"))
    sid = create_session(
        srv,
        project_id=row.project_id,
        entry_path=row.entry_path,
        entry_name=row.entry_name,
        inputs=row.inputs,
        memo=row.memo,
        deployment_id=row.deployment_id,
        build_id=row.build_id,
        event_id=row.event_id,
        trigger_id=row.trigger_id,
        event_type=row.event_type,
        parent_session_id=row.parent_session_id,
        is_durable=row.is_durable,
    )
    return {"session_id": sid}


@rpc("sessions", "Delete")
def delete(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = get_session(srv, req_str(body, "session_id", "session ID"))
    if not row.state.final:
        raise FailedPrecondition(
            f'session "{row.session_id}" is {row.state.value}: stop it first'
            " (ak session stop)"
        )
    sid = row.session_id
    with srv.store.tx():  # the session and everything it wrote, at once
        srv.store.logs.delete_for_session(sid)
        srv.store.prints.delete_for_session(sid)
        srv.store.journal.delete_for_session(sid)
        srv.store.sessions.delete(sid)
    return {"session": session_json(row, with_inputs=False)}


_SES_PREFIX = re.compile(r"^ses_")


@rpc("sessions", "Resolve")
def resolve_ref(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """A session ID, or a project whose latest session is meant (cli.md §1.5)."""
    ref = req_str(body, "ref", "session ID or project")
    if _SES_PREFIX.match(ref):
        return {"session_id": get_session(srv, ref).session_id}
    if not is_id(ref, "prj") and not NAME_RE.match(ref):
        raise BadRequest(f'invalid project "{ref}"')
    try:
        pid = get_project(srv, ref).project_id
    except NotFound:
        raise NotFound(f'project "{ref}" not found') from None
    sid = srv.store.sessions.latest_id(pid)
    if sid is None:
        raise NotFound(f'sessions not found for project "{ref}"')
    return {"session_id": sid}


@rpc("sessions", "GetJournal")
def get_journal(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """A durable session's journal as the runner gets it (`ak session replay`)."""
    from akcli.engine.session_host import load_journal

    sid = get_session(srv, req_str(body, "session_id", "session ID")).session_id
    return {"journal": [e.to_wire() for e in load_journal(srv, sid)]}


def timers(srv: Server, session_id: str) -> list[dict[str, Any]]:
    """The durable timers (journaled `sleep` calls) of a session, for the web
    UI's timeline: `{seq, started_at (ISO), wake_at (epoch seconds)}`."""
    rows = srv.store.journal.sleeps(get_session(srv, session_id).session_id)
    out = []
    for r in rows:
        value = json.loads(r.value)
        if isinstance(value, dict) and isinstance(value.get("wake_at"), int | float):
            out.append(
                {"seq": r.seq, "started_at": r.created_at, "wake_at": value["wake_at"]}
            )
    return out
