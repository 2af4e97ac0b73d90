"""`ak trigger`: create, list, get, delete (cli.md §2.8)."""

from __future__ import annotations

from typing import Any

import typer

from akcli.cli import app_ctx, check_found, new_app
from akcli.errors import AkError, NotFound, UsageError
from runner.entrypoint import parse_entrypoint

app = new_app("Trigger management")


def parse_call(call: str) -> dict[str, str]:
    """`--call` (runner/entrypoint.py's grammar; a bare `file` too) -> code_location."""
    try:
        path, name = parse_entrypoint(call)
    except ValueError as e:
        raise AkError(str(e)) from None
    return {"path": path, "name": name}


def resolve_trigger(actx: Any, ref: str, project: str) -> dict[str, Any] | None:
    """A trigger by ID, `project/name` or `name` with -p; None if not found."""
    body: dict[str, Any] = {"trigger_id": ref}
    if project:
        body["project_id"] = project
    try:
        resp = actx.client.call("triggers", "Get", body)
    except NotFound:
        return None
    trigger: dict[str, Any] | None = resp.get("trigger")
    return trigger


@app.command("create")
def create(
    ctx: typer.Context,
    name: str = typer.Option(..., "-n", "--name", help="trigger name"),
    call: str = typer.Option("", "-l", "--call", help='entry point "file:function"'),
    project: str = typer.Option("", "-p", "--project", help="project name or ID"),
    connection: str = typer.Option("", "-c", "--connection", help="connection"),
    schedule: str = typer.Option("", "-s", "--schedule", help="cron schedule"),
    webhook: bool = typer.Option(False, "-w", "--webhook", help="webhook trigger"),
    timezone: str = typer.Option("", "-z", "--timezone", help="IANA time zone"),
    event: str = typer.Option("", "-E", "--event", help="event type"),
    filter_: str = typer.Option("", "-f", "--filter", help="CEL filter"),
) -> None:
    """Create a trigger: a webhook, a schedule, or a connection's events."""
    actx = app_ctx(ctx)
    if not project:
        raise UsageError("missing project")
    given = [
        f
        for f, on in (
            ("connection", connection),
            ("schedule", schedule),
            ("webhook", webhook),
        )
        if on
    ]
    if not given:
        raise UsageError("missing connection, schedule or webhook")
    if len(given) > 1:
        raise UsageError(
            "if any flags in the group [connection schedule webhook] are set none"
            f" of the others can be; [{' '.join(given)}] were all set"
        )
    if schedule and event:
        raise UsageError(
            "if any flags in the group [event schedule] are set none of the"
            " others can be; [event schedule] were all set"
        )
    if timezone and not schedule:
        raise UsageError("--timezone is only valid with --schedule")
    trigger: dict[str, Any] = {
        "project_id": project,
        "name": name,
        "source_type": given[0],
        "event_type": event,
        "filter": filter_,
        "schedule": schedule,
        "timezone": timezone,
    }
    if connection:
        trigger["connection_id"] = connection
    if call:
        trigger["code_location"] = parse_call(call)
    resp = actx.client.call("triggers", "Create", {"trigger": trigger})
    actx.out.value("trigger_id", resp["trigger_id"])


@app.command("list")
def list_(
    ctx: typer.Context,
    project: str = typer.Option("", "-p", "--project", help="project name or ID"),
    connection: str = typer.Option("", "-c", "--connection", help="connection"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if none found"),
) -> None:
    """List triggers, with webhook URLs, schedules and filters."""
    actx = app_ctx(ctx)
    body = {"project_id": project} if project else {}
    if connection:
        body["connection_id"] = connection
    try:
        triggers = actx.client.call("triggers", "List", body).get("triggers", [])
    except NotFound:
        if fail:
            raise
        triggers = []
    check_found(bool(triggers), fail, "triggers")
    actx.out.items(triggers)


@app.command("get")
def get(
    ctx: typer.Context,
    trigger: str = typer.Argument(..., metavar="NAME_OR_ID"),
    project: str = typer.Option("", "-p", "--project", help="project name or ID"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if not found"),
) -> None:
    """Get a trigger by ID, project/name, or name with -p."""
    actx = app_ctx(ctx)
    found = resolve_trigger(actx, trigger, project)
    check_found(found is not None, fail, "trigger")
    actx.out.obj("trigger", found)


@app.command("delete")
def delete(
    ctx: typer.Context,
    trigger: str = typer.Argument(..., metavar="NAME_OR_ID"),
    project: str = typer.Option("", "-p", "--project", help="project name or ID"),
) -> None:
    """Delete a trigger (a schedule trigger's schedule goes with it)."""
    actx = app_ctx(ctx)
    tid = trigger
    if not trigger.startswith("trg_"):
        found = resolve_trigger(actx, trigger, project)
        if found is None:
            raise NotFound(f'trigger ID "{trigger}" not found')
        tid = found["trigger_id"]
    actx.client.call("triggers", "Delete", {"trigger_id": tid})
