"""`ak ui`: open the web UI of the server (`ak up`) in a browser, logged in."""

from __future__ import annotations

import typer

from akcli.cli import app_ctx


def ui_url(base: str, token: str) -> str:
    """The UI's URL; with a token, `/?token=...` logs the browser in."""
    from urllib.parse import quote

    base = base.rstrip("/") + "/"
    return f"{base}?token={quote(token, safe='')}" if token else base


def ui(
    ctx: typer.Context,
    print_only: bool = typer.Option(
        False, "-n", "--print", help="only print the URL (e.g. on a headless machine)"
    ),
) -> None:
    """Open the web UI of the ak server in a browser (logged in with the API token)."""
    actx = app_ctx(ctx)
    client = actx.client
    url = ui_url(client.url, client.token)
    if actx.out.is_json:
        actx.out.raw({"url": url})
        return
    if not print_only:
        import webbrowser

        try:
            opened = webbrowser.open(url)
        except webbrowser.Error:
            opened = False
        if opened:
            typer.echo(f"Opened the web UI: {ui_url(client.url, '')}", err=True)
            return
        typer.echo("No browser found; open this URL:", err=True)
    typer.echo(url)
