"""`ak build`: list, get, describe, download, upload, delete (cli.md §2.5)."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import typer

from akcli.cli import app_ctx, check_found, new_app
from akcli.errors import NotFound
from akcli.ids import check_id

app = new_app("Build management")


@app.command("list")
def list_(
    ctx: typer.Context,
    project: str = typer.Option(..., "-p", "--project", help="project name or ID"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if none found"),
) -> None:
    """List the builds of a project, newest first."""
    actx = app_ctx(ctx)
    builds = actx.client.call("builds", "List", {"project_id": project}).get(
        "builds", []
    )
    check_found(bool(builds), fail, "builds")
    actx.out.items(builds)


@app.command("get")
def get(
    ctx: typer.Context,
    build_id: str = typer.Argument(..., metavar="BUILD_ID"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if not found"),
) -> None:
    """Get a build by ID."""
    actx = app_ctx(ctx)
    check_id(build_id, "bld", "build")
    resp = actx.client.call("builds", "Get", {"build_id": build_id})
    check_found("build" in resp, fail, "build")
    actx.out.obj("build", resp.get("build"))


@app.command("describe")
def describe(
    ctx: typer.Context, build_id: str = typer.Argument(..., metavar="BUILD_ID")
) -> None:
    """Describe a build's contents."""
    actx = app_ctx(ctx)
    check_id(build_id, "bld", "build")
    actx.out.obj(
        "build", actx.client.call("builds", "Describe", {"build_id": build_id})["build"]
    )


@app.command("download")
def download(
    ctx: typer.Context,
    build_id: str = typer.Argument(..., metavar="BUILD_ID"),
    output: str = typer.Option(
        "build.akb", "-o", "--output", help="file, or - for stdout"
    ),
) -> None:
    """Download a build's archive (a tar file)."""
    actx = app_ctx(ctx)
    check_id(build_id, "bld", "build")
    data = base64.b64decode(
        actx.client.call("builds", "Download", {"build_id": build_id})["data"]
    )
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(output).write_bytes(data)


@app.command("upload")
def upload(
    ctx: typer.Context,
    path: Path = typer.Argument(..., metavar="FILE"),
    project: str = typer.Option(..., "-p", "--project", help="project name or ID"),
) -> None:
    """Upload a build archive (as written by `ak build download`)."""
    actx = app_ctx(ctx)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"open {path}: no such file or directory") from None
    body = {"project_id": project, "data": base64.b64encode(data).decode()}
    actx.out.value("build_id", actx.client.call("builds", "Upload", body)["build_id"])


@app.command("delete")
def delete(
    ctx: typer.Context, build_id: str = typer.Argument(..., metavar="BUILD_ID")
) -> None:
    """Delete a build that no deployment uses."""
    check_id(build_id, "bld", "build")
    app_ctx(ctx).client.call("builds", "Delete", {"build_id": build_id})
