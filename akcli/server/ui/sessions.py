"""The sessions pages: the list (filters, paging, live rows) and one session
(header, timeline, transcript, actions, log download)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from akcli.server.services import sessions as sessions_service
from akcli.server.state import Server
from akcli.server.ui import timeline
from akcli.server.ui.web import UiError, api, form, redirect, render
from akcli.states import FINAL_SESSION_STATES, SessionState

PAGE_SIZE = 20
# The filter's order: the states one looks for first, first.
STATES = tuple(
    s.value
    for s in (
        SessionState.RUNNING,
        SessionState.ERROR,
        SessionState.COMPLETED,
        SessionState.STOPPED,
        SessionState.CREATED,
    )
)
SINCE = {"15m": 15 * 60, "1h": 3600, "24h": 86400, "7d": 7 * 86400}
FINAL = FINAL_SESSION_STATES


def state_of(ses: dict[str, Any]) -> str:
    return str(ses.get("state", "")).rsplit("_", 1)[-1].lower()


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _utc(text: str) -> datetime:
    """A datetime-local field's `2026-12-02T18:30` (UTC) -> an aware datetime."""
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise UiError(
            400, f'invalid time "{text}": expected YYYY-MM-DDTHH:MM (UTC)'
        ) from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _duration(ses: dict[str, Any]) -> float:
    start = timeline.parse_time(ses["created_at"])
    end = (
        timeline.parse_time(ses["updated_at"])
        if state_of(ses) in FINAL
        else time.time()
    )
    return end - start


async def _names(srv: Server) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Project names by ID, and every trigger (for the filter)."""
    projects = (await api(srv, "projects", "List"))["projects"]
    names = {p["project_id"]: p["name"] for p in projects}
    triggers = (await api(srv, "triggers", "List"))["triggers"]
    for t in triggers:
        t["label"] = f"{names.get(t['project_id'], '?')}/{t['name']}"
    return names, triggers


async def sessions_list(srv: Server, request: Request) -> Response:
    q = request.query_params
    keys = ("project", "state", "trigger", "since", "after", "before", "size", "page")
    f = {k: q.get(k, "") for k in keys}
    names, triggers = await _names(srv)
    size = min(100, max(10, int(f["size"]))) if f["size"].isdigit() else PAGE_SIZE
    body: dict[str, Any] = {"page_size": size}
    if f["project"] in names:
        body["project_id"] = f["project"]
    if f["state"] in STATES:
        body["state"] = f["state"]
    if any(t["trigger_id"] == f["trigger"] for t in triggers):
        body["trigger_id"] = f["trigger"]
    if f["since"] in SINCE:
        body["created_after"] = _iso(
            datetime.now(UTC) - timedelta(seconds=SINCE[f["since"]])
        )
    for key, field in (("after", "created_after"), ("before", "created_before")):
        if f[key]:
            body[field] = _iso(_utc(f[key]))
    offset = int(f["page"]) if f["page"].isdigit() else 0
    body["page_token"] = str(offset)
    out = await api(srv, "sessions", "List", **body)
    rows = []
    for s in out["sessions"]:
        rows.append(
            {
                **s,
                "st": state_of(s),
                "project": names.get(s["project_id"], s["project_id"]),
                "trigger": (s.get("memo") or {}).get("trigger_name", ""),
                "took": timeline.fmt_duration(_duration(s)),
            }
        )
    base = {k: v for k, v in f.items() if v and k != "page"}
    ctx: dict[str, Any] = {
        "rows": rows,
        "f": f,
        "projects": names,
        "triggers": triggers,
        "states": STATES,
        "since": SINCE,
        "newer": _qs(base, max(0, offset - size)) if offset > 0 else None,
        "older": _qs(base, offset + size) if out.get("next_page_token") else None,
        "fragment_qs": _qs(base, offset),
        "first_page": offset == 0,
    }
    if q.get("fragment"):
        return render(srv, request, "_session_rows.html", **ctx)
    return render(srv, request, "sessions.html", title="Sessions", **ctx)


def _qs(params: dict[str, str], offset: int) -> str:
    from urllib.parse import urlencode

    p = dict(params)
    if offset > 0:
        p["page"] = str(offset)
    return urlencode(p)


async def _records(srv: Server, sid: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    token = "0"
    while token and len(records) < 20000:
        out = await api(
            srv, "sessions", "GetLog", session_id=sid, page_size=1000, page_token=token
        )
        records += out["records"]
        token = out.get("next_page_token", "")
    return records


async def _prints(srv: Server, sid: str) -> list[dict[str, Any]]:
    prints: list[dict[str, Any]] = []
    after = "0"
    while after and len(prints) < 50000:
        out = await api(srv, "sessions", "GetPrints", session_id=sid, after_id=after)
        prints += out["prints"]
        after = out.get("next_page_token", "")
    return prints


async def _session(srv: Server, sid: str) -> dict[str, Any]:
    out = await api(srv, "sessions", "Get", session_id=sid)
    if not out.get("session"):
        raise UiError(404, f'session ID "{sid}" not found')
    ses: dict[str, Any] = out["session"]
    return ses


async def session_page(srv: Server, request: Request) -> Response:
    sid = request.path_params["session_id"]
    ses = await _session(srv, sid)
    st = state_of(ses)
    records = await _records(srv, sid)
    prints = await _prints(srv, sid)
    timers = sessions_service.timers(srv, sid)
    start = timeline.parse_time(ses["created_at"])
    running = st not in FINAL
    end = time.time() if running else timeline.parse_time(ses["updated_at"])
    tl = timeline.build(records, prints, timers, start=start, end=end, running=running)
    project = await api(srv, "projects", "Get", project_id=ses["project_id"])
    memo = ses.get("memo") or {}
    ctx = {
        "s": ses,
        "st": st,
        "running": running,
        "tl": tl,
        "project": (project.get("project") or {}).get("name", ses["project_id"]),
        "trigger": memo.get("trigger_name", ""),
        "trigger_id": memo.get("trigger_id", ""),
        "took": timeline.fmt_duration(end - start),
        "failed_bars": [b for b in tl.bars if b.failed],
    }
    if request.query_params.get("fragment"):
        return render(srv, request, "_session_live.html", **ctx)
    return render(srv, request, "session.html", title=f"Session {sid}", **ctx)


async def stop(srv: Server, request: Request) -> Response:
    sid = request.path_params["session_id"]
    data = await form(request)
    force = bool(data.get("force"))
    reason = "stopped from the web UI" + (" (forced)" if force else "")
    await api(srv, "sessions", "Stop", session_id=sid, force=force, reason=reason)
    return redirect(f"/ui/sessions/{sid}")


async def restart(srv: Server, request: Request) -> Response:
    sid = request.path_params["session_id"]
    out = await api(srv, "sessions", "Restart", session_id=sid)
    return redirect(f"/ui/sessions/{out['session_id']}")


async def download_log(srv: Server, request: Request) -> Response:
    """The session's records and prints as JSON lines, in time order."""
    sid = request.path_params["session_id"]
    await _session(srv, sid)
    records = await _records(srv, sid)
    prints = await _prints(srv, sid)
    lines = [(r["t"], json.dumps(r, sort_keys=True)) for r in records]
    lines += [(p["t"], json.dumps({"t": p["t"], "print": p["v"]})) for p in prints]
    lines.sort(key=lambda x: x[0])
    return Response(
        "".join(line + "\n" for _, line in lines),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{sid}.log.jsonl"'},
    )
