"""`ak session list|get|prints|log|download-logs`: reading sessions."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from akcli.cli import app_ctx, check_found
from akcli.commands.sessions import app
from akcli.commands.sessions.common import (
    FINAL,
    duration,
    go_time,
    iter_prints,
    parse_time,
    resolve,
    session_state,
    show_record,
    state_name,
    strip_print,
    strip_ts,
)
from akcli.commands.sessions.timings import session_duration, show_timings
from akcli.errors import UsageError
from akcli.ids import is_id


@app.command("list")
def list_(
    ctx: typer.Context,
    project: str = typer.Option("", "-p", "--project", help="project name or ID"),
    deployment_id: str = typer.Option("", "-d", "--deployment-id"),
    event_id: str = typer.Option("", "--event-id"),
    state: str = typer.Option(
        "", "-s", "--state-type", help="CREATED|RUNNING|ERROR|COMPLETED|STOPPED"
    ),
    with_inputs: bool = typer.Option(False, "-i", "--with-inputs"),
    page_size: int = typer.Option(50, "--page-size"),
    skip_rows: int = typer.Option(0, "--skip-rows"),
    token: str = typer.Option("", "--next-page-token"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if none found"),
) -> None:
    """List sessions, newest first."""
    actx = app_ctx(ctx)
    body = {
        "project_id": project,
        "deployment_id": deployment_id,
        "event_id": event_id,
        "state": state_name(state) if state else "",
        "with_inputs": with_inputs,
        "page_size": page_size,
        "skip_rows": skip_rows,
        "page_token": token,
    }
    resp = actx.client.call("sessions", "List", body)
    sessions = resp.get("sessions", [])
    check_found(bool(sessions), fail, "sessions")
    actx.out.items(sessions)
    actx.out.next_page(str(resp.get("next_page_token") or ""))


@app.command("get")
def get(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="SESSION_ID|PROJECT"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if not found"),
) -> None:
    """Get a session (or the latest session of a project)."""
    actx = app_ctx(ctx)
    sid = ref if is_id(ref, "ses") else resolve(actx.client, ref)
    resp = actx.client.call("sessions", "Get", {"session_id": sid})
    check_found("session" in resp, fail, "session")
    session = resp.get("session")
    if isinstance(session, dict) and (took := session_duration(session)):
        session["duration"] = took
    actx.out.obj("session", session)


def _show_print(
    actx: Any, p: dict[str, Any], no_ts: bool, collect: list[Any] | None
) -> None:
    # collect: the JSON objects of one `--array_json_list` array, printed at the end.
    text = strip_print(str(p.get("v", "")))
    if actx.out.is_json:
        obj = {"t": p["t"], "v": text} if not no_ts else {"v": text}
        if collect is not None:
            collect.append(obj)
        else:
            actx.out.items([obj])
    elif no_ts:
        typer.echo(text)
    else:
        typer.echo(f"[{go_time(p['t'])}] {text}")


@app.command("prints")
def prints(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="SESSION_ID|PROJECT"),
    no_ts: bool = typer.Option(False, "-n", "--no-timestamps"),
    tail: bool = typer.Option(False, "-t", "--tail", help="poll until the end"),
    end_print_re: str = typer.Option("", "-r", "--end-print-re", help="regexp"),
    poll: str = typer.Option("250ms", "-i", "--poll-interval"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if no prints"),
) -> None:
    """Show a session's prints: `[<time>] <text>`."""
    actx = app_ctx(ctx)
    client = actx.client
    sid = resolve(client, ref)
    interval = duration(poll, "poll-interval")
    try:
        pattern = re.compile(end_print_re) if end_print_re else None
    except re.error as e:
        raise UsageError(f'invalid --end-print-re "{end_print_re}": {e}') from None
    last, total = 0, 0
    # One JSON array with --array_json_list (when not tailing: lines stream).
    collect: list[Any] | None = [] if actx.out.array and not tail else None
    while True:
        state = session_state(client, sid) if tail else ""
        for p in iter_prints(client, sid, last):  # page by page, never all at once
            _show_print(actx, p, no_ts, collect)
            last, total = int(p["id"]), total + 1
            if tail and pattern and pattern.search(strip_print(str(p.get("v")))):
                return
        if not tail or state in FINAL:
            break
        time.sleep(interval)
    if collect is not None and actx.out.is_json:
        actx.out.items(collect)
    check_found(total > 0, fail, "prints")


@app.command("log")
def log(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="SESSION_ID|PROJECT"),
    no_ts: bool = typer.Option(False, "-n", "--no-timestamps"),
    order: str = typer.Option("desc", "-o", "--order", help="asc|desc"),
    page_size: int = typer.Option(20, "--page-size"),
    skip_rows: int = typer.Option(0, "--skip-rows"),
    token: str = typer.Option("", "--next-page-token"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if no records"),
    timings: bool = typer.Option(
        False,
        "--timings",
        help="per activity queue, execution and journal-commit time, and the"
        " session's engine overhead",
    ),
) -> None:
    """Show one page of a session's log records, oldest first."""
    order = order.lower()
    if order not in ("asc", "desc"):
        raise UsageError(f'invalid order "{order}": expected asc or desc')
    actx = app_ctx(ctx)
    sid = resolve(actx.client, ref)
    if timings:
        resp = actx.client.call("sessions", "GetTimings", {"session_id": sid})
        check_found(bool(resp.get("activities")), fail, "activities")
        show_timings(actx.out, resp)
        return
    body = {
        "session_id": sid,
        "order": order,
        "page_size": page_size,
        "skip_rows": skip_rows,
        "page_token": token,
    }
    resp = actx.client.call("sessions", "GetLog", body)
    records = resp.get("records", [])
    check_found(bool(records), fail, "log records")
    if order == "desc":
        records.reverse()
    if actx.out.is_json:  # JSON Lines, or one array with --array_json_list
        actx.out.raw_items([strip_ts(rec, no_ts) for rec in records])
    else:
        for rec in records:
            show_record(actx.out, rec, no_ts)
    actx.out.next_page(str(resp.get("next_page_token") or ""))


def format_log_file(prints: Iterable[dict[str, Any]]) -> Iterator[str]:
    """download-logs layout: `[YYYY-MM-DD HH:MM:SS]:  <line>`, then 24-space
    indents; one chunk of text per print."""
    for p in prints:
        stamp = parse_time(str(p["t"])).strftime("%Y-%m-%d %H:%M:%S")
        first, *rest = strip_print(str(p.get("v", ""))).split("\n")
        lines = [f"[{stamp}]:  {first}", *(" " * 24 + line for line in rest)]
        yield "".join(line + "\n" for line in lines)


@app.command("download-logs")
def download_logs(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="SESSION_ID|PROJECT"),
    output: str = typer.Option("", "-o", "--output", help="output file"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if no prints"),
) -> None:
    """Write a session's prints to a text file."""
    actx = app_ctx(ctx)
    sid = resolve(actx.client, ref)
    prints = iter_prints(actx.client, sid)
    first = next(prints, None)
    check_found(first is not None, fail, "prints")
    stamp = datetime.now().strftime("%Y%m%d_%H%M%S")
    path = Path(output or f"./{sid}_{stamp}.txt")
    with path.open("w") as f:
        if first is not None:
            f.writelines(format_log_file(itertools.chain([first], prints)))
    typer.echo(f"Logs written to {path}")
