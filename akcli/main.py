"""The root `ak` command: global flags, and one sub-app per command group."""

from __future__ import annotations

import typer

from akcli.cli import AkGroup, app_ctx
from akcli.commands import (
    builds,
    deploy,
    deployments,
    events,
    misc,
    projects,
    projects_build,  # noqa: F401 - adds `ak project build|deploy|export`
    sessions,
    triggers,
)
from akcli.commands import config as config_cmds
from akcli.commands import manifest as manifest_cmds
from akcli.commands import vars as vars_cmds
from akcli.errors import UsageError
from akcli.output import Renderer

app = typer.Typer(
    cls=AkGroup,
    name="ak",
    help="autokitteh command-line interface and local server",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    config: list[str] = typer.Option(
        [],
        "-C",
        "--config",
        metavar="key=value",
        help="temporary config override (key=value)",
    ),
    json_: bool = typer.Option(False, "-j", "--json", help="print output as JSON"),
    nice_json: bool = typer.Option(
        False, "-J", "--nice_json", help="print output as indented JSON"
    ),
    array_json_list: bool = typer.Option(
        False, "--array_json_list", help="print lists as one JSON array (with -j)"
    ),
    token: str | None = typer.Option(
        None, "--token", metavar="TOKEN", help="API token"
    ),
    debug: bool = typer.Option(False, "--debug", help="show tracebacks on errors"),
) -> None:
    from akcli.config import parse_overrides

    if json_ and nice_json:
        raise UsageError(
            "if any flags in the group [json nice_json] are set none of the others"
            " can be; [json nice_json] were all set"
        )
    actx = app_ctx(ctx)
    actx.overrides = parse_overrides(config)
    actx.out = Renderer(json=json_, nice=nice_json, array=array_json_list)
    actx.token = token


app.add_typer(config_cmds.app, name="config")
app.add_typer(projects.app, name="project")
app.add_typer(builds.app, name="build")
app.add_typer(deployments.app, name="deployment")
app.add_typer(vars_cmds.app, name="var")
app.add_typer(sessions.app, name="session")
app.add_typer(manifest_cmds.app, name="manifest")
app.add_typer(triggers.app, name="trigger")
app.add_typer(events.app, name="event")
deploy.register(app)
misc.register(app)


def main() -> None:
    import os

    if "_AK_COMPLETE" in os.environ:  # a shell asking for completions
        from typer._completion_classes import completion_init

        completion_init()
    app()
