"""`ak up`: run the server in the foreground."""

from __future__ import annotations

import typer

from akcli.cli import app_ctx


def up(
    ctx: typer.Context,
    mode: str = typer.Option("dev", "-m", "--mode", help="dev, test or default"),
) -> None:
    """Start the local server (Ctrl-C to stop: once drains, twice exits)."""
    from akcli.server.run import serve

    actx = app_ctx(ctx)
    serve(mode or "default", actx.config, actx.paths)
