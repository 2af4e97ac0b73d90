"""`ak session watch|stop|delete`."""

from __future__ import annotations

import re
import time

import typer

from akcli.cli import app_ctx
from akcli.commands.sessions import app
from akcli.commands.sessions.common import (
    duration,
    fail_on_end,
    resolve,
    state_name,
    wait_created,
    watch,
)
from akcli.errors import NotFound, UsageError
from akcli.ids import check_id


@app.command("watch")
def watch_cmd(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="SESSION_ID|PROJECT"),
    end_state: str = typer.Option("", "-e", "--end-state", help="stop at this state"),
    end_print_re: str = typer.Option("", "-r", "--end-print-re", help="regexp"),
    timeout: str = typer.Option("", "-t", "--timeout", help="duration (0: none)"),
    poll: str = typer.Option("250ms", "-i", "--poll-interval"),
    no_ts: bool = typer.Option(False, "-n", "--no-timestamps"),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="print nothing"),
    created: bool = typer.Option(
        False, "--wait-created", help="wait for the session to exist"
    ),
    no_fail: bool = typer.Option(
        False, "--no-fail", help="rc 0 even if the session ends ERROR or STOPPED"
    ),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if not found"),
) -> None:
    """Print a session's log until it ends (rc 1 on ERROR/STOPPED)."""
    actx = app_ctx(ctx)
    limit = duration(timeout, "timeout") if timeout else 0
    interval = duration(poll, "poll-interval")
    end = state_name(end_state) if end_state else ""
    if end_print_re:
        try:
            re.compile(end_print_re)
        except re.error as e:
            raise UsageError(f'invalid --end-print-re "{end_print_re}": {e}') from None
    deadline = time.monotonic() + limit if limit else None
    try:
        if created:
            sid = wait_created(actx.client, ref, deadline, interval)
        else:
            sid = resolve(actx.client, ref)
    except NotFound:
        if fail or not created:
            raise
        return
    state = watch(
        actx.client,
        actx.out,
        sid,
        end_state=end,
        end_print_re=end_print_re,
        poll=interval,
        no_ts=no_ts,
        quiet=quiet,
        deadline=deadline,
    )
    fail_on_end(state, sid, no_fail)


@app.command("stop")
def stop(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="SESSION_ID|PROJECT"),
    reason: str = typer.Option("", "-r", "--reason", help="why"),
    force: bool = typer.Option(False, "-f", "--force", help="terminate at once"),
    delay: str = typer.Option("", "--delay", help="wait this long first"),
) -> None:
    """Stop a session (gracefully, or at once with --force)."""
    actx = app_ctx(ctx)
    sid = resolve(actx.client, ref)
    if delay:
        time.sleep(duration(delay, "delay"))
    body = {"session_id": sid, "reason": reason, "force": force}
    actx.client.call("sessions", "Stop", body)


@app.command("delete")
def delete(
    ctx: typer.Context,
    session_id: str = typer.Argument(..., metavar="SESSION_ID"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail on error"),
) -> None:
    """Delete a session that is not running; prints the deleted session."""
    actx = app_ctx(ctx)
    check_id(session_id, "ses", "session")
    try:
        resp = actx.client.call("sessions", "Delete", {"session_id": session_id})
    except NotFound:
        if fail:
            raise
        return
    actx.out.obj("session", resp.get("session"))
