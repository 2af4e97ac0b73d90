"""`ak project`: create, list, get, delete, build, deploy, download, export."""

from __future__ import annotations

import random
from pathlib import Path

import typer

from akcli.cli import app_ctx, check_found, new_app

app = new_app("Project management")

_CATS = ("fluffy", "sleepy", "grumpy", "tiny", "brave", "lazy")
_PARTS = ("paws", "whiskers", "tail", "purr", "meow", "nose")


def _cat_name() -> str:
    return (
        f"{random.choice(_CATS)}_{random.choice(_PARTS)}_{random.randint(0, 9999):04d}"
    )


@app.command("create")
def create(
    ctx: typer.Context,
    name: str = typer.Option("", "-n", "--name", help="project name (default: random)"),
    display_name: str = typer.Option("", "-t", "--display-name", help="display name"),
) -> None:
    """Create a new project."""
    actx = app_ctx(ctx)
    body = {"project": {"name": name or _cat_name(), "display_name": display_name}}
    resp = actx.client.call("projects", "Create", body)
    actx.out.value("project_id", resp["project_id"])


@app.command("list")
def list_(
    ctx: typer.Context,
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if none found"),
) -> None:
    """List all projects."""
    actx = app_ctx(ctx)
    projects = actx.client.call("projects", "List").get("projects", [])
    check_found(bool(projects), fail, "projects")
    actx.out.items(projects)


@app.command("get")
def get(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="NAME_OR_ID"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if not found"),
) -> None:
    """Get a project by name or ID."""
    actx = app_ctx(ctx)
    resp = actx.client.call("projects", "Get", {"project_id": project})
    check_found("project" in resp, fail, "project")
    actx.out.obj("project", resp.get("project"))


@app.command("delete")
def delete(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="NAME_OR_ID"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail on error"),
) -> None:
    """Delete a project with its triggers, vars, builds and deployments."""
    from akcli.errors import NotFound

    try:
        app_ctx(ctx).client.call("projects", "Delete", {"project_id": project})
    except NotFound:
        if fail:
            raise


@app.command("download")
def download(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="NAME_OR_ID"),
    output_dir: Path = typer.Option(Path("."), "-o", "--output-dir"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if no resources"),
) -> None:
    """Download the project's uploaded files."""
    import base64

    client = app_ctx(ctx).client
    resources = client.call("projects", "DownloadResources", {"project_id": project})
    files = resources.get("resources", {})
    check_found(bool(files), fail, "resources")
    for rel, data in files.items():
        target = output_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))
