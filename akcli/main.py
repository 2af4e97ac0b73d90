"""The root `ak` command: global flags, and one sub-app per command group."""

from __future__ import annotations

import typer

from akcli.cli import LAZY_GROUPS, AkGroup, app_ctx
from akcli.commands import check, deploy, misc
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
    if json_ and nice_json:
        raise UsageError(
            "if any flags in the group [json nice_json] are set none of the others"
            " can be; [json nice_json] were all set"
        )
    actx = app_ctx(ctx)
    if config:
        from akcli.config import parse_overrides

        actx.overrides = parse_overrides(config)
    actx.out = Renderer(json=json_, nice=nice_json, array=array_json_list)
    actx.token = token


# Command groups are imported only when used (see AkGroup.get_command), so
# `ak --help` and `ak version` do not pay for every group's imports.
LAZY_GROUPS.update(
    {
        "project": ("akcli.commands.projects_build", "Project management"),
        "build": ("akcli.commands.builds", "Build management"),
        "deployment": ("akcli.commands.deployments", "Deployment management"),
        "session": ("akcli.commands.sessions", "Session management"),
        "trigger": ("akcli.commands.triggers", "Trigger management"),
        "event": ("akcli.commands.events", "Event management"),
        "var": ("akcli.commands.vars", "Project variables"),
        "manifest": ("akcli.commands.manifest", "Manifest management"),
        "config": ("akcli.commands.config", "Configuration: locations, keys, values"),
        "connection": ("akcli.commands.connections", "Connection management"),
        "integration": ("akcli.commands.integrations", "Integration management"),
    }
)
check.register(app)
deploy.register(app)
misc.register(app)


def main() -> None:
    import os

    if "_AK_COMPLETE" in os.environ:  # a shell asking for completions
        from typer._completion_classes import completion_init

        completion_init()
    app()
