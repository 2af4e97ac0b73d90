"""`ak session start` and `ak session restart`."""

from __future__ import annotations

import json
import time
from typing import Any

import typer

from akcli.cli import app_ctx
from akcli.commands.sessions import app
from akcli.commands.sessions.common import duration, fail_on_end, resolve, watch
from akcli.errors import UsageError


def parse_inputs(pairs: list[str]) -> dict[str, Any]:
    """`key=<JSON>` pairs; numbers stay numbers, bad JSON is a usage error."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise UsageError(f'invalid input "{pair}", expected key=<JSON value>')
        try:
            out[key] = json.loads(raw)
        except ValueError as e:
            raise UsageError(
                f'invalid input "{key}": {raw!r} is not JSON ({e});'
                " quote strings, e.g. -I name='\"bob\"'"
            ) from None
    return out


def parse_memo(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f'invalid memo "{pair}", expected key=value')
        out[key] = value
    return out


# The --watch options `start` and `restart` share.
_WATCH = typer.Option(False, "-w", "--watch", help="watch the session")
_WATCH_TIMEOUT = typer.Option("", "-t", "--watch-timeout", help="duration")
_POLL = typer.Option("250ms", "-i", "--poll-interval")
_NO_TS = typer.Option(False, "-n", "--no-timestamps")
_QUIET = typer.Option(False, "-q", "--quiet", help="no watch output")
_NO_FAIL = typer.Option(
    False, "--no-fail", help="with --watch: rc 0 even if the session fails"
)


def _watch_after(
    ctx: typer.Context,
    sid: str,
    timeout: str,
    poll: str,
    no_ts: bool,
    quiet: bool,
    no_fail: bool,
) -> None:
    actx = app_ctx(ctx)
    limit = duration(timeout, "watch-timeout") if timeout else 0
    state = watch(
        actx.client,
        actx.out,
        sid,
        timeout=limit,
        poll=duration(poll, "poll-interval"),
        no_ts=no_ts,
        quiet=quiet,
        deadline=time.monotonic() + limit if limit else None,
    )
    fail_on_end(state, sid, no_fail)


@app.command("start")
def start(
    ctx: typer.Context,
    deployment_id: str = typer.Option(
        "", "-d", "--deployment-id", help="deployment ID"
    ),
    build_id: str = typer.Option("", "-b", "--build-id", help="build ID"),
    project: str = typer.Option("", "-o", "--project", help="project name or ID"),
    entrypoint: str = typer.Option(
        "", "-p", "--entrypoint", help='entry point ("file.py:function")'
    ),
    inputs: list[str] = typer.Option(
        [], "-I", "--input", metavar="key=<JSON>", help="session input (repeatable)"
    ),
    memo: list[str] = typer.Option([], "-m", "--memo", metavar="key=value"),
    durable: bool = typer.Option(False, "-D", "--durable", help="durable session"),
    watch_: bool = _WATCH,
    watch_timeout: str = _WATCH_TIMEOUT,
    poll: str = _POLL,
    no_ts: bool = _NO_TS,
    quiet: bool = _QUIET,
    no_fail: bool = _NO_FAIL,
) -> None:
    """Start a session at an entry point of a deployment."""
    if not deployment_id and not project:
        raise UsageError(
            "at least one of the flags in the group [deployment-id project] is required"
        )
    if not entrypoint:
        raise UsageError('required flag(s) "entrypoint" not set')
    body = {
        "session": {
            "deployment_id": deployment_id,
            "build_id": build_id,
            "project_id": project,
            "entrypoint": entrypoint,
            "inputs": parse_inputs(inputs),
            "memo": parse_memo(memo),
            "is_durable": durable,
        }
    }
    actx = app_ctx(ctx)
    sid = actx.client.call("sessions", "Start", body)["session_id"]
    actx.out.value("session_id", sid)
    if watch_:
        _watch_after(ctx, sid, watch_timeout, poll, no_ts, quiet, no_fail)


@app.command("restart")
def restart(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="SESSION_ID|PROJECT"),
    watch_: bool = _WATCH,
    watch_timeout: str = _WATCH_TIMEOUT,
    poll: str = _POLL,
    no_ts: bool = _NO_TS,
    quiet: bool = _QUIET,
    no_fail: bool = _NO_FAIL,
) -> None:
    """Start the same session definition again, under a new ID."""
    actx = app_ctx(ctx)
    old = resolve(actx.client, ref)
    sid = actx.client.call("sessions", "Restart", {"session_id": old})["session_id"]
    actx.out.value("session_id", sid)
    if watch_:
        _watch_after(ctx, sid, watch_timeout, poll, no_ts, quiet, no_fail)
