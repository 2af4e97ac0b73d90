"""`ak session replay <session_id>`: re-run a session's handler here from its journal."""

from __future__ import annotations

import typer

from akcli.cli import app_ctx
from akcli.commands.sessions import app
from akcli.commands.sessions.common import resolve
from akcli.errors import AkError


@app.command("replay")
def replay(
    ctx: typer.Context,
    session_id: str = typer.Argument(..., metavar="SESSION_ID"),
    until: int | None = typer.Option(
        None, "--until", metavar="SEQ", help="stop before the call after seq SEQ"
    ),
    pdb: bool = typer.Option(False, "--pdb", help="stop in pdb at breakpoint()"),
    live: bool = typer.Option(
        False, "--live", help="past the journal's end, go on for real locally"
    ),
) -> None:
    """Re-run a session's handler in the foreground from its journal."""
    from akcli import replay as rp

    actx = app_ctx(ctx)
    sid = resolve(actx.client, session_id)
    prepared = rp.prepare(actx.client, actx.config, sid, live)
    typer.echo(
        f"[replay] session {sid}: {prepared.journal_len} journal entries", err=True
    )
    code = rp.run(prepared, until, pdb, live)
    if code == rp.DIVERGED:
        raise AkError(f"session {sid}: the replay diverged from its journal")
    if code:
        raise typer.Exit(code)
