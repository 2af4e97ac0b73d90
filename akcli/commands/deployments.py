"""`ak deployment`: create, activate, deactivate, get, list, delete (cli.md §2.6)."""

from __future__ import annotations

import typer

from akcli.cli import app_ctx, check_found, new_app
from akcli.ids import check_id

app = new_app("Deployment management")

_STATES = ("UNSPECIFIED", "ACTIVE", "TESTING", "DRAINING", "INACTIVE")


@app.command("create")
def create(
    ctx: typer.Context,
    build_id: str = typer.Option(..., "-b", "--build-id", help="build ID"),
    project: str = typer.Option(..., "-e", "--project", help="project name or ID"),
    activate: bool = typer.Option(False, "-a", "--activate", help="activate it"),
) -> None:
    """Create a deployment of a build (INACTIVE unless --activate)."""
    actx = app_ctx(ctx)
    check_id(build_id, "bld", "build")
    body = {"deployment": {"build_id": build_id, "project_id": project}}
    did = actx.client.call("deployments", "Create", body)["deployment_id"]
    if activate:
        actx.client.call("deployments", "Activate", {"deployment_id": did})
    actx.out.value("deployment_id", did)


@app.command("activate")
def activate(
    ctx: typer.Context,
    deployment_id: str = typer.Argument(..., metavar="DEPLOYMENT_ID"),
) -> None:
    """Activate a deployment; the project's active one drains or goes inactive."""
    check_id(deployment_id, "dep", "deployment")
    app_ctx(ctx).client.call(
        "deployments", "Activate", {"deployment_id": deployment_id}
    )


@app.command("deactivate")
def deactivate(
    ctx: typer.Context,
    deployment_id: str = typer.Argument(..., metavar="DEPLOYMENT_ID"),
) -> None:
    """Deactivate a deployment (DRAINING while sessions still run)."""
    check_id(deployment_id, "dep", "deployment")
    app_ctx(ctx).client.call(
        "deployments", "Deactivate", {"deployment_id": deployment_id}
    )


@app.command("get")
def get(
    ctx: typer.Context,
    deployment_id: str = typer.Argument(..., metavar="DEPLOYMENT_ID"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if not found"),
) -> None:
    """Get a deployment by ID."""
    actx = app_ctx(ctx)
    check_id(deployment_id, "dep", "deployment")
    resp = actx.client.call("deployments", "Get", {"deployment_id": deployment_id})
    check_found("deployment" in resp, fail, "deployment")
    actx.out.obj("deployment", resp.get("deployment"))


@app.command("list")
def list_(
    ctx: typer.Context,
    project: str = typer.Option("", "-p", "--project", help="project name or ID"),
    build_id: str = typer.Option("", "-b", "--build-id", help="build ID"),
    state: str = typer.Option(
        "", "-s", "--state", help="ACTIVE|TESTING|DRAINING|INACTIVE|UNSPECIFIED"
    ),
    stats: bool = typer.Option(
        False, "-i", "--include-session-stats", help="include session counts"
    ),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if none found"),
) -> None:
    """List deployments, newest first."""
    from akcli.errors import UsageError

    actx = app_ctx(ctx)
    name = state.strip().upper().removeprefix("DEPLOYMENT_STATE_")
    if state and name not in _STATES:
        raise UsageError(
            f'invalid argument "{state}" for "-s, --state" flag: '
            f"must be one of {', '.join(_STATES)}"
        )
    body = {
        "project_id": project,
        "build_id": build_id,
        "state": name,
        "include_session_stats": stats,
    }
    deployments = actx.client.call("deployments", "List", body).get("deployments", [])
    check_found(bool(deployments), fail, "deployments")
    actx.out.items(deployments)


@app.command("delete")
def delete(
    ctx: typer.Context,
    deployment_id: str = typer.Argument(..., metavar="DEPLOYMENT_ID"),
) -> None:
    """Delete an INACTIVE deployment."""
    check_id(deployment_id, "dep", "deployment")
    app_ctx(ctx).client.call("deployments", "Delete", {"deployment_id": deployment_id})
