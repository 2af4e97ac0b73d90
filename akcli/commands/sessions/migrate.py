"""`ak session migrate` and the report of `ak deploy --check-inflight`."""

from __future__ import annotations

from typing import Any

import typer

from akcli.cli import app_ctx
from akcli.client import Client
from akcli.commands.sessions import app
from akcli.errors import UsageError
from akcli.ids import is_id
from akcli.output import Renderer


def show_verdicts(out: Renderer, sessions: list[dict[str, Any]]) -> None:
    """``<session>: compatible`` / ``<session>: diverges at seq N: <diff>`` and
    the recorded-vs-now table indented under a divergence (-j: JSON Lines)."""
    if out.is_json:
        out.raw_items(sessions)
        return
    for s in sessions:
        out.text(f"{s['session_id']}: {s['result']}")
        if not s.get("compatible") and s.get("detail"):
            table = str(s["detail"]).split("\n\n", 1)[0]
            for line in table.splitlines():
                out.text(f"    {line}")


def check_inflight(client: Client, out: Renderer, deployment_id: str) -> None:
    """After a deploy: replay the project's running durable sessions against
    the new build (they stay on their own build)."""
    dep = client.call("deployments", "Get", {"deployment_id": deployment_id})
    d = dep.get("deployment") or {}
    resp = client.call(
        "sessions",
        "CheckInflight",
        {"project_id": d.get("project_id"), "build_id": d.get("build_id")},
    )
    sessions = list(resp.get("sessions") or [])
    if not sessions and not out.is_json:
        typer.echo("check-inflight: no running durable sessions", err=True)
    show_verdicts(out, sessions)


@app.command("migrate")
def migrate(
    ctx: typer.Context,
    ref: str = typer.Argument("", metavar="SESSION_ID|PROJECT"),
    all_compatible: bool = typer.Option(
        False,
        "--all-compatible",
        help="every running durable session of PROJECT that replays cleanly",
    ),
) -> None:
    """Move a running durable session to its project's active build, if its
    journal replays cleanly there (otherwise it stays on its own build)."""
    actx = app_ctx(ctx)
    if all_compatible:
        if not ref:
            raise UsageError("--all-compatible needs a PROJECT")
        from akcli.deploy import resolve_project

        body = {"project_id": resolve_project(actx.client, ref)}
    elif is_id(ref, "ses"):
        body = {"session_id": ref}
    else:
        raise UsageError("expected a session ID, or a PROJECT with --all-compatible")
    resp = actx.client.call("sessions", "Migrate", body)
    show_verdicts(actx.out, list(resp.get("sessions") or []))
