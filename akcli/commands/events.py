"""`ak event`: list, get, dispatch, redispatch, save, verify-filter (cli.md §2.10).

Event data prints as plain JSON (the shape handlers receive), not upstream's
tagged value form.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from akcli.cli import app_ctx, check_found, new_app
from akcli.errors import AkError, NotFound, UsageError
from akcli.ids import check_id
from akcli.output import prune

app = new_app("Event management")


def _render(actx: Any, events: list[dict[str, Any]], key: str | None) -> None:
    """Like the Renderer, but JSON keeps the event data whole: it is user data,
    where `null`, `""` and `{}` mean something (no default-pruning inside it)."""
    out = actx.out
    if not out.is_json:
        if key is None:
            out.items(events)
        else:
            out.obj(key, events[0])
        return
    docs: list[Any] = []
    for ev in events:
        pruned = prune(ev)
        doc = {
            k: (ev[k] if k == "data" else pruned[k])
            for k in ev
            if k in pruned or k == "data"
        }
        docs.append({key: doc} if key else doc)
    if key is None and out.json and out.array:
        docs = [docs]
    for item in docs:
        if out.nice:
            typer.echo(json.dumps(item, indent=2, ensure_ascii=False))
        else:
            typer.echo(json.dumps(item, separators=(",", ":"), ensure_ascii=False))


def _pairs(items: list[str], what: str) -> dict[str, str]:
    """`-d k=v` (repeatable, comma-splittable) -> {k: v}."""
    out: dict[str, str] = {}
    for item in items:
        for part in item.split(","):
            if not part:
                continue
            key, sep, value = part.partition("=")
            if not sep or not key:
                raise UsageError(f'invalid {what} "{part}", expected "key=value"')
            out[key] = value
    return out


def _event_body(
    from_file: Path | None,
    trigger: str,
    project: str,
    connection: str,
    event_type: str,
    data: list[str],
    memo: list[str],
) -> dict[str, Any]:
    event: dict[str, Any] = {}
    if from_file is not None:
        try:
            loaded = json.loads(from_file.read_text())
        except FileNotFoundError:
            raise NotFound(f"open {from_file}: no such file or directory") from None
        except ValueError as e:
            raise AkError(f"{from_file}: invalid JSON: {e}") from None
        if not isinstance(loaded, dict):
            raise AkError(f"{from_file}: expected a JSON object")
        event = loaded.get("event", loaded)
    if trigger:
        event["destination_id"] = trigger
    if connection:
        event["connection_id"] = connection
    if project:
        event["project_id"] = project
    if event_type:
        event["event_type"] = event_type
    if data:
        event["data"] = {**(event.get("data") or {}), **_pairs(data, "data")}
    if memo:
        event["memo"] = {**(event.get("memo") or {}), **_pairs(memo, "memo")}
    if not event.get("destination_id") and not event.get("connection_id"):
        raise UsageError("missing trigger (-t/--trigger)")
    return {"event": event}


@app.command("list")
def list_(
    ctx: typer.Context,
    trigger: str = typer.Option("", "-t", "--trigger", help="trigger name or ID"),
    project: str = typer.Option("", "-p", "--project", help="project name or ID"),
    connection: str = typer.Option("", "-c", "--connection", help="connection"),
    integration: str = typer.Option("", "-i", "--integration", help="integration"),
    event_type: str = typer.Option("", "-e", "--event-type", help="event type"),
    order: str = typer.Option("DESC", "-o", "--order", help="DESC or ASC (by seq)"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if none found"),
) -> None:
    """List events, newest first (by sequence number)."""
    actx = app_ctx(ctx)
    if integration:
        raise AkError("filtering by integration is not supported: use -c/--connection")
    body = {
        "connection_id": connection,
        "trigger_id": trigger,
        "project_id": project,
        "event_type": event_type,
        "order": order,
    }
    try:
        events = actx.client.call("events", "List", body).get("events", [])
    except NotFound:
        if fail:
            raise
        events = []
    check_found(bool(events), fail, "events")
    _render(actx, events, None)


@app.command("get")
def get(
    ctx: typer.Context,
    event_id: str = typer.Argument(..., metavar="EVENT_ID"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if not found"),
) -> None:
    """Get an event by ID."""
    actx = app_ctx(ctx)
    check_id(event_id, "evt", "event")
    resp = actx.client.call("events", "Get", {"event_id": event_id})
    check_found("event" in resp, fail, "event")
    if "event" in resp:
        _render(actx, [resp["event"]], "event")


def _send(
    ctx: typer.Context,
    method: tuple[str, str],
    from_file: Path | None,
    trigger: str,
    project: str,
    connection: str,
    event_type: str,
    data: list[str],
    memo: list[str],
) -> None:
    actx = app_ctx(ctx)
    body = _event_body(from_file, trigger, project, connection, event_type, data, memo)
    resp = actx.client.call(*method, body)
    actx.out.value("event_id", resp["event_id"])


# Options shared by `dispatch` and `save` (upstream spells --from_file on one of them).
_TRIGGER = typer.Option("", "-t", "--trigger", help="trigger name or ID")
_PROJECT = typer.Option("", "-p", "--project", help="project name or ID")
_CONNECTION = typer.Option("", "-c", "--connection", help="connection")
_EVENT_TYPE = typer.Option("", "-e", "--event-type", help="event type")
_DATA = typer.Option([], "-d", "--data", help="data key=value")
_MEMO = typer.Option([], "-m", "--memo", help="memo key=value")


@app.command("dispatch")
def dispatch(
    ctx: typer.Context,
    from_file: Path | None = typer.Option(
        None, "-f", "--from_file", help="event JSON file"
    ),
    trigger: str = _TRIGGER,
    project: str = _PROJECT,
    connection: str = _CONNECTION,
    event_type: str = _EVENT_TYPE,
    data: list[str] = _DATA,
    memo: list[str] = _MEMO,
) -> None:
    """Store an event and dispatch it to its trigger."""
    args = (from_file, trigger, project, connection, event_type, data, memo)
    _send(ctx, ("dispatcher", "Dispatch"), *args)


@app.command("save")
def save(
    ctx: typer.Context,
    from_file: Path | None = typer.Option(
        None, "-f", "--from-file", help="event JSON file"
    ),
    trigger: str = _TRIGGER,
    project: str = _PROJECT,
    connection: str = _CONNECTION,
    event_type: str = _EVENT_TYPE,
    data: list[str] = _DATA,
    memo: list[str] = _MEMO,
) -> None:
    """Store an event without dispatching it."""
    args = (from_file, trigger, project, connection, event_type, data, memo)
    _send(ctx, ("events", "Save"), *args)


@app.command("redispatch")
def redispatch(
    ctx: typer.Context, event_id: str = typer.Argument(..., metavar="EVENT_ID")
) -> None:
    """Dispatch an existing event again, as a new event with the same data."""
    actx = app_ctx(ctx)
    check_id(event_id, "evt", "event")
    resp = actx.client.call("dispatcher", "Redispatch", {"event_id": event_id})
    actx.out.value("event_id", resp["event_id"])


@app.command("verify-filter")
def verify_filter(
    ctx: typer.Context, expr: str = typer.Argument(..., metavar="FILTER")
) -> None:
    """Check that a CEL trigger filter compiles (no server needed)."""
    from akcli.celfilter import compile_filter

    try:
        compile_filter(expr)
    except ValueError as e:
        msg = str(e).replace("<input>", "<stdin>")
        raise AkError(f"verify filter: {msg}") from None
    app_ctx(ctx).out.value("result", "filter expression is valid")
