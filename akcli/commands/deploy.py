"""`ak deploy`: apply the manifest, then upload, build, deploy and activate."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from akcli.cli import app_ctx

if TYPE_CHECKING:
    from akcli.deploy import Output


def deploy(
    ctx: typer.Context,
    manifest: str = typer.Option(
        "", "-m", "--manifest", help="YAML manifest file (default ./autokitteh.yaml)"
    ),
    project_name: str = typer.Option(
        "", "-n", "--project-name", help="override the manifest's project name"
    ),
    project: str = typer.Option(
        "", "-p", "--project", help="existing project name or ID (no manifest)"
    ),
    dirs: list[str] = typer.Option(
        [], "-d", "--dir", help="directory to upload (repeatable)"
    ),
    files: list[str] = typer.Option(
        [], "-f", "--file", help="single file to upload (repeatable)"
    ),
    skip_existing_secrets: bool = typer.Option(
        False,
        "--skip-existing-secrets",
        help="do not overwrite an existing var if either side is secret",
    ),
    strict: bool = typer.Option(
        False, "--strict", help="fail if `ak check` finds anything"
    ),
    check_inflight: bool = typer.Option(
        False,
        "--check-inflight",
        help="replay running durable sessions against the new build (report only)",
    ),
) -> None:
    """Create or update a project from its manifest, then build, deploy, activate."""
    from akcli.deploy import DeployRequest
    from akcli.deploy import deploy as run_deploy

    _check(manifest, dirs, files, strict)
    req = DeployRequest(
        manifest=manifest,
        project_name=project_name,
        project=project,
        dirs=dirs,
        files=files,
        skip_existing_secrets=skip_existing_secrets,
        prepare=prepare_venv,
    )
    actx = app_ctx(ctx)
    did = run_deploy(actx.client, req, stdio_output())
    if check_inflight:
        from akcli.commands.sessions.migrate import check_inflight as report

        report(actx.client, actx.out, did)


def _check(manifest: str, dirs: list[str], files: list[str], strict: bool) -> None:
    """`ak check` over what is uploaded: warnings on stderr; --strict fails."""
    from pathlib import Path

    from akcli.commands.check import run_check
    from akcli.errors import AkError

    roots = [Path(p) for p in [*dirs, *files]]
    if not roots:
        roots = [Path(manifest or "autokitteh.yaml").parent]
    found = [line for r in roots if r.exists() for line in run_check(r, warn=True)]
    if found and strict:
        raise AkError(f"ak check: {len(found)} finding(s) (--strict); nothing deployed")


def stdio_output(quiet: bool = False) -> Output:
    """`[plan]`/`[exec]` lines to stdout, `[!!!!]` suggestions to stderr."""
    from akcli.deploy import Output

    return Output(out=typer.echo, err=lambda s: typer.echo(s, err=True), quiet=quiet)


def register(app: typer.Typer) -> None:
    app.command("deploy")(deploy)


def prepare_venv(uploaded: dict[str, bytes]) -> None:
    """Build (or reuse) the venv for the uploaded project's requirements.txt."""
    import os

    from akcli.config import Config
    from akcli.paths import Paths
    from akcli.progress import build_display
    from akcli.venvs import default_requirements, is_complete, python_for, venv_dir

    raw = uploaded.get("requirements.txt")
    requirements = raw.decode() if raw else None
    paths = Paths.from_env()
    defaults = default_requirements(Config.load(paths))
    target = venv_dir(paths, requirements)
    ready = is_complete(target, defaults) and (
        target.name == "default" or is_complete(target.parent / "default", defaults)
    )
    if os.environ.get("AK_WORKER_PYTHON") or ready:
        python_for(paths, requirements, None, defaults)  # validates; no build
        return
    what = "requirements.txt" if target.name != "default" else "default"
    with build_display(f"preparing the Python environment ({what})") as update:
        python_for(paths, requirements, update, defaults)
