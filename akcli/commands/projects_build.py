"""`ak project build|deploy|export`: registered onto the `ak project` group."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from akcli.cli import app_ctx
from akcli.commands.projects import app
from akcli.errors import UsageError

_DIRS = typer.Option([], "-d", "--dir", help="directory to upload (repeatable)")
_FILES = typer.Option([], "-f", "--file", help="single file to upload (repeatable)")


def _files(dirs: list[str], files: list[str]) -> dict[str, bytes]:
    from akcli.deploy import collect_files

    if not dirs and not files:
        raise UsageError(
            "at least one of the flags in the group [dir file] is required"
        )
    return collect_files(dirs, files)


@app.command("build")
def build(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="NAME_OR_ID"),
    dirs: list[str] = _DIRS,
    files: list[str] = _FILES,
) -> None:
    """Upload the project's files and build them."""
    from akcli.deploy import build_project, resolve_project

    actx = app_ctx(ctx)
    pid = resolve_project(actx.client, project)
    bid = build_project(actx.client, pid, _files(dirs, files))
    actx.out.value("build_id", bid)


@app.command("deploy")
def deploy(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="NAME_OR_ID"),
    dirs: list[str] = _DIRS,
    files: list[str] = _FILES,
) -> None:
    """Upload and build the project's files, then deploy and activate the build."""
    from akcli.deploy import build_project, deploy_build, resolve_project

    actx = app_ctx(ctx)
    pid = resolve_project(actx.client, project)
    bid = build_project(actx.client, pid, _files(dirs, files))
    actx.out.value("build_id", bid)
    actx.out.value("deployment_id", deploy_build(actx.client, pid, bid))


@app.command("export")
def export(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="NAME_OR_ID"),
    output: str = typer.Option(
        "", "-o", "--output", help="zip file (default <project>.zip; - for stdout)"
    ),
    include_contents: bool = typer.Option(
        False, "-c", "--include-contents", help="include var values"
    ),
) -> None:
    """Write a zip of the project's files and a regenerated autokitteh.yaml."""
    from akcli.deploy import export_project

    actx = app_ctx(ctx)
    name, data = export_project(actx.client, project, include_contents)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    elif include_contents:  # var values, secrets included, in plain text
        from akcli.paths import write_private

        target = Path(output or f"{name}.zip")
        write_private(target, data)
        typer.echo(
            f"wrote {target} with mode 0600: it holds the project's var values,"
            " secrets in plain text",
            err=True,
        )
    else:
        Path(output or f"{name}.zip").write_bytes(data)
