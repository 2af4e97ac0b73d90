"""`ak config`: where state lives, which keys exist, and setting them."""

from __future__ import annotations

import json

import typer

from akcli.cli import app_ctx, new_app

app = new_app("Configuration: locations, keys, values")


def _show(path: object) -> str:
    text = str(path)
    return json.dumps(text) if " " in text else text


@app.command("where")
def where(
    ctx: typer.Context,
    cfg: bool = typer.Option(False, "-c", "--cfg", help="print only the config home"),
    data: bool = typer.Option(False, "-d", "--data", help="print only the data home"),
) -> None:
    """Print the config and data home directories."""
    paths = app_ctx(ctx).paths
    if cfg:
        typer.echo(str(paths.config_home))
        return
    if data:
        typer.echo(str(paths.data_home))
        return
    typer.echo(f"Config home directory: {_show(paths.config_home)}")
    typer.echo(f"Data home directory:   {_show(paths.data_home)}")
    typer.echo("")
    typer.echo("Override environment variable names:")
    typer.echo("XDG_CONFIG_HOME")
    typer.echo("XDG_DATA_HOME")


@app.command("list")
def list_(
    env_vars: bool = typer.Option(
        False, "-e", "--env-vars", help="show keys as environment variable names"
    ),
) -> None:
    """List the configuration keys."""
    from akcli.config import KEYS, env_name

    for key in sorted(KEYS):
        typer.echo(env_name(key) if env_vars else key)


@app.command("set")
def set_(ctx: typer.Context, key: str, value: str) -> None:
    """Set a configuration key in config.yaml."""
    from akcli.config import set_key

    actx = app_ctx(ctx)
    _ = actx.config  # validates the current file first, as upstream
    set_key(actx.paths, key, value)
