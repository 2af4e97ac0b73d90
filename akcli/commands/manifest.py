"""`ak manifest`: schema, validate, plan, apply, execute, deploy (cli.md §2.3)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from akcli.cli import app_ctx, new_app
from akcli.commands.deploy import stdio_output
from akcli.errors import NotFound

if TYPE_CHECKING:
    from akcli.manifest import Manifest

app = new_app("Manifest management")

_FILE = typer.Argument(None, metavar="[FILE]", help="manifest file (default: stdin)")
_QUIET = typer.Option(False, "-q", "--quiet", help="do not print the plan/exec lines")
_NAME = typer.Option("", "-n", "--project-name", help="override the project name")
_SKIP = typer.Option(
    False,
    "--skip-existing-secrets",
    help="do not overwrite an existing var if either side is secret",
)
_RM_CVARS = typer.Option(
    False,
    "--rm-unused-cvars",
    help="delete connection vars that are not in the manifest (credentials too)",
)
_SCRATCH = typer.Option(
    False, "-s", "--from-scratch", help="plan as if nothing exists yet"
)


def _load(path: str | None) -> Manifest:
    from akcli.deploy import read_manifest

    return read_manifest(path or "-")


def _read_text(path: str | None) -> str:
    if not path or path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text()
    except FileNotFoundError:
        raise NotFound(f"open {path}: no such file or directory") from None


@app.command("schema")
def schema(ctx: typer.Context) -> None:
    """Print the manifest's JSON Schema."""
    from akcli.manifest import manifest_schema

    app_ctx(ctx).out.raw(manifest_schema())


@app.command("validate")
def validate(ctx: typer.Context, path: str | None = _FILE) -> None:
    """Parse and validate a manifest; silent when it is valid."""
    _load(path)


@app.command("plan")
def plan(
    ctx: typer.Context,
    path: str | None = _FILE,
    no_validate: bool = typer.Option(False, "--no-validate", help="ignored"),
    from_scratch: bool = _SCRATCH,
    quiet: bool = _QUIET,
    project_name: str = _NAME,
    skip_existing_secrets: bool = _SKIP,
    rm_unused_cvars: bool = _RM_CVARS,
) -> None:
    """Print the actions that would bring the server in line with the manifest."""
    from akcli.deploy import make_plan

    actx = app_ctx(ctx)
    p = make_plan(
        actx.client,
        _load(path),
        project_name=project_name,
        from_scratch=from_scratch,
        skip_existing_secrets=skip_existing_secrets,
        rm_unused_cvars=rm_unused_cvars,
    )
    out = stdio_output(quiet)
    for line in p.logs:
        out.log(line)
    actx.out.raw(p.to_json())


@app.command("apply")
def apply(
    ctx: typer.Context,
    path: str | None = _FILE,
    no_validate: bool = typer.Option(False, "--no-validate", help="ignored"),
    from_scratch: bool = _SCRATCH,
    quiet: bool = _QUIET,
    project_name: str = _NAME,
    skip_existing_secrets: bool = _SKIP,
    rm_unused_cvars: bool = _RM_CVARS,
) -> None:
    """Plan and execute a manifest (no build or deploy)."""
    from akcli.deploy import apply_manifest

    apply_manifest(
        app_ctx(ctx).client,
        _load(path),
        stdio_output(quiet),
        project_name=project_name,
        from_scratch=from_scratch,
        skip_existing_secrets=skip_existing_secrets,
        rm_unused_cvars=rm_unused_cvars,
    )


@app.command("execute")
def execute(ctx: typer.Context, path: str | None = _FILE, quiet: bool = _QUIET) -> None:
    """Execute a JSON action list (the output of `ak manifest plan`)."""
    from akcli.deploy import execute_actions
    from akcli.manifest import actions_from_json

    actions = actions_from_json(_read_text(path))
    execute_actions(app_ctx(ctx).client, actions, stdio_output(quiet))


@app.command("deploy")
def deploy(
    ctx: typer.Context,
    path: str = typer.Argument(..., metavar="MANIFEST"),
    dirs: list[str] = typer.Option([], "-d", "--dir", help="directory to upload"),
    files: list[str] = typer.Option([], "-f", "--file", help="file to upload"),
    quiet: bool = _QUIET,
    env: str = typer.Option("", "-e", "--env", help="ignored (legacy)"),
    project_name: str = _NAME,
    skip_existing_secrets: bool = _SKIP,
) -> None:
    """Like `ak deploy -m MANIFEST`: apply, upload, build, deploy, activate."""
    from akcli.deploy import DeployRequest
    from akcli.deploy import deploy as run_deploy

    req = DeployRequest(
        manifest=path,
        project_name=project_name,
        dirs=dirs,
        files=files,
        skip_existing_secrets=skip_existing_secrets,
        announce_project=False,
    )
    run_deploy(app_ctx(ctx).client, req, stdio_output(quiet))
