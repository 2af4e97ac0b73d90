"""The projects and events pages: deployments, builds, triggers, vars,
connections (when that service exists); events, redispatch, test requests."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from akcli.server.state import Server
from akcli.server.ui.web import UiError, api, form, redirect, render
from akcli.states import DeploymentState

EVENTS_PAGE = 50


def next_fire(schedule: str, timezone: str) -> str:
    """The next fire time of a schedule trigger, UTC, or why there is none."""
    from akcli.cronexpr import parse

    try:
        t = parse(schedule, timezone).next_after(datetime.now(UTC))
    except ValueError as e:
        return f"invalid schedule: {e}"
    return t.strftime("%Y-%m-%d %H:%M:%S UTC") if t else "never again"


async def projects_page(srv: Server, request: Request) -> Response:
    projects = (await api(srv, "projects", "List"))["projects"]
    for p in projects:
        deps = await api(srv, "deployments", "List", project_id=p["project_id"])
        p["deployments"] = deps["deployments"]
        p["active"] = any(
            d["state"] == DeploymentState.ACTIVE for d in deps["deployments"]
        )
    return render(srv, request, "projects.html", title="Projects", projects=projects)


async def _connections(srv: Server, project_id: str) -> list[dict[str, Any]] | None:
    """The project's connections, or None if they cannot be read."""
    try:
        out = await api(srv, "connections", "List", project_id=project_id)
    except UiError:
        return None
    conns: list[dict[str, Any]] = out.get("connections") or []
    return conns


async def project_page(srv: Server, request: Request) -> Response:
    ref = request.path_params["project"]
    project = (await api(srv, "projects", "Get", project_id=ref)).get("project")
    if not project:
        raise UiError(404, f'project "{ref}" not found')
    pid = project["project_id"]
    deps = await api(
        srv, "deployments", "List", project_id=pid, include_session_stats=True
    )
    builds = (await api(srv, "builds", "List", project_id=pid))["builds"]
    for b in builds[:10]:
        try:
            desc = await api(srv, "builds", "Describe", build_id=b["build_id"])
            b["files"] = desc["build"]["files"]
        except UiError:
            b["files"] = []
    triggers = (await api(srv, "triggers", "List", project_id=pid))["triggers"]
    for t in triggers:
        if t.get("schedule"):
            t["next_fire"] = next_fire(t["schedule"], t.get("timezone") or "")
    vars_ = (await api(srv, "vars", "Get", scope_id=pid))["vars"]  # secrets masked
    return render(
        srv,
        request,
        "project.html",
        title=f"Project {project['name']}",
        p=project,
        deployments=deps["deployments"],
        builds=builds[:10],
        more_builds=max(0, len(builds) - 10),
        triggers=triggers,
        vars=vars_,
        connections=await _connections(srv, pid),
    )


async def events_page(srv: Server, request: Request) -> Response:
    projects = (await api(srv, "projects", "List"))["projects"]
    names = {p["project_id"]: p["name"] for p in projects}
    project = request.query_params.get("project", "")
    body: dict[str, Any] = {"max_results": EVENTS_PAGE}
    if project in names:
        body["project_id"] = project
    events = (await api(srv, "events", "List", **body))["events"]
    triggers = {
        t["trigger_id"]: t for t in (await api(srv, "triggers", "List"))["triggers"]
    }
    for e in events:
        trg = triggers.get(e["destination_id"])
        e["trigger"] = trg["name"] if trg else e["destination_id"]
        e["project"] = names.get(trg["project_id"], "") if trg else ""
    return render(
        srv,
        request,
        "events.html",
        title="Events",
        events=events,
        projects=names,
        project=project,
        limit=EVENTS_PAGE,
    )


async def event_page(srv: Server, request: Request) -> Response:
    eid = request.path_params["event_id"]
    event = (await api(srv, "events", "Get", event_id=eid)).get("event")
    if not event:
        raise UiError(404, f'event ID "{eid}" not found')
    sessions = (await api(srv, "sessions", "List", event_id=eid))["sessions"]
    trigger = (
        await api(srv, "triggers", "Get", trigger_id=event["destination_id"])
    ).get("trigger")
    return render(
        srv,
        request,
        "event.html",
        title=f"Event {eid}",
        e=event,
        sessions=sessions,
        trigger=trigger,
    )


async def redispatch(srv: Server, request: Request) -> Response:
    eid = request.path_params["event_id"]
    out = await api(srv, "dispatcher", "Redispatch", event_id=eid)
    return redirect(f"/ui/events/{out['event_id']}")


def _send(url: str, method: str, body: bytes, content_type: str) -> tuple[int, str]:
    req = urllib.request.Request(url, data=body or None, method=method)
    req.add_header("Content-Type", content_type)
    req.add_header("User-Agent", "ak-web-ui (test request)")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers.get("AutoKitteh-Event-ID") or ""
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers.get("AutoKitteh-Event-ID") or ""


async def test_request(srv: Server, request: Request) -> Response:
    """Send a request to a webhook trigger, as `curl` would, then show its event."""
    tid = request.path_params["trigger_id"]
    trigger = (await api(srv, "triggers", "Get", trigger_id=tid)).get("trigger")
    if not trigger or not trigger.get("webhook_url"):
        raise UiError(404, f'webhook trigger "{tid}" not found')
    data = await form(request)
    method = (data.get("method") or "POST").upper()
    if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        raise UiError(400, f'invalid method "{method}"')
    body = data.get("body", "").encode()
    ctype = data.get("content_type") or "application/json"
    url = srv.service_url + "/webhooks/" + trigger["webhook_slug"]
    status, eid = await asyncio.to_thread(_send, url, method, body, ctype)
    if eid:
        return redirect(f"/ui/events/{eid}")
    raise UiError(502, f"the webhook answered HTTP {status} without an event")
