"""Helpers shared by the `ak session` commands: references, time formats, log
record texts, and the watch loop (polls the server; no server code here)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from akcli.errors import AkError, NotFound, UsageError

if TYPE_CHECKING:
    from akcli.client import Client
    from akcli.output import Renderer

FINAL = ("COMPLETED", "ERROR", "STOPPED")
STATE_NAMES = ("CREATED", "RUNNING", "ERROR", "COMPLETED", "STOPPED")


def duration(text: str, flag: str) -> float:
    """A Go-style duration flag (`250ms`, `1m`) in seconds."""
    from akcli.config import parse_duration

    try:
        return parse_duration(text)
    except ValueError:
        raise UsageError(
            f'invalid argument "{text}" for "{flag}" flag: invalid duration'
        ) from None


def state_name(text: str) -> str:
    """`error`, `ERROR`, `SESSION_STATE_TYPE_ERROR` -> `ERROR`."""
    name = text.strip().upper().removeprefix("SESSION_STATE_TYPE_")
    if name not in STATE_NAMES:
        raise UsageError(
            f'invalid session state "{text}" (one of {", ".join(STATE_NAMES)})'
        )
    return name


def resolve(client: Client, ref: str) -> str:
    """A session ID, or a project name/ID meaning its latest session."""
    return str(client.call("sessions", "Resolve", {"ref": ref})["session_id"])


def parse_time(t: str) -> datetime:
    return datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(UTC)


def go_time(t: str) -> str:
    """Go's default time format: `2025-01-01 10:00:00.5 +0000 UTC`."""
    dt = parse_time(t)
    frac = f"{dt.microsecond:06d}".rstrip("0")
    return (
        dt.strftime("%Y-%m-%d %H:%M:%S") + (f".{frac}" if frac else "") + (" +0000 UTC")
    )


def rfc3339(t: str) -> str:
    """RFC 3339 in UTC with the fraction trimmed, as Go's time.RFC3339Nano."""
    dt = parse_time(t)
    frac = f"{dt.microsecond:06d}".rstrip("0")
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def strip_print(text: str) -> str:
    """One trailing newline of a Python print is not part of the print."""
    return text[:-1] if text.endswith("\n") else text


def _value(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def record_text(rec: dict[str, Any]) -> str:
    """A log record's text form: `State: RUNNING`, `Call Spec: f(1)`, ..."""
    for key, body in rec.items():
        if key in ("t", "process_id"):
            continue
        body = body if isinstance(body, dict) else {"value": body}
        if key == "state":
            name, raw = next(iter(body.items()), ("unspecified", {}))
            detail: dict[str, Any] = raw if isinstance(raw, dict) else {}
            text = f"State: {name.upper()}"
            if name == "error":
                err = detail.get("error")
                msg = err.get("message") if isinstance(err, dict) else err
                return f"{text}: {str(msg).rstrip()}" if msg else text
            if name == "stopped" and detail.get("reason"):
                return f"{text}: {detail['reason']}"
            if name == "completed" and detail.get("return_value") is not None:
                return f"{text}: {_value(detail['return_value'])}"
            if name == "running" and isinstance(detail.get("call"), dict):
                fn = detail["call"].get("function") or {}
                where = ":".join(x for x in (fn.get("path"), fn.get("name")) if x)
                return f"{text} {where}" if where else text
            return text
        if key == "call_spec":
            fn = (body.get("function") or {}).get("name", "?")
            args = [_value(a) for a in body.get("args") or []]
            args += [f"{k}={_value(v)}" for k, v in (body.get("kwargs") or {}).items()]
            return f"Call Spec: {fn}({', '.join(args)})"
        if key == "call_attempt_start":
            num = f" (attempt {body['attempt']})" if "attempt" in body else ""
            return f"Call Attempt Start: #{body.get('seq', '?')}{num}"
        if key == "call_attempt_complete":
            err = " (error)" if body.get("is_error") else ""
            if "attempt" in body:  # a retried activity: its attempt and error
                err = f" (attempt {body['attempt']}"
                err += f", error: {body['error']})" if body.get("error") else ")"
            return f"Call Attempt Complete: #{body.get('seq', '?')}{err}"
        if key == "sdk_call":
            args = [f"{k}={v}" for k, v in (body.get("args") or {}).items()]
            return f"SDK Call: {body.get('op', '?')}({', '.join(args)})"
        if key == "sdk_call_complete":
            err = " (error)" if body.get("is_error") else ""
            return f"SDK Call Complete: #{body.get('seq', '?')}{err}"
        if key == "stop_request":
            return f"Stop Request: {body.get('reason', '')}".rstrip()
        if key == "print":
            return f"Print: {strip_print(str(body.get('text', '')))}"
        if key == "outcome":
            return f"Outcome: {_value(body)}"
        title = key.replace("_", " ").title()
        return f"{title}: {_value(body)}"
    return ""


def strip_ts(rec: dict[str, Any], no_ts: bool) -> dict[str, Any]:
    """A log record without its `t` and `process_id` fields when `no_ts` (`-n`)."""
    if no_ts:
        return {k: v for k, v in rec.items() if k not in ("t", "process_id")}
    return rec


def show_record(out: Renderer, rec: dict[str, Any], no_ts: bool) -> None:
    """One log record: `[t] text`, or its JSON (`-n` drops t and process_id)."""
    rec = strip_ts(rec, no_ts)
    if out.is_json:
        out.raw(rec)
        return
    text = record_text(rec)
    out.text(text if no_ts else f"[{rfc3339(rec['t'])}] {text}")


def all_log(client: Client, sid: str, skip: int = 0) -> list[dict[str, Any]]:
    """Every log record of a session after the first `skip`, oldest first."""
    records: list[dict[str, Any]] = []
    token = ""
    while True:
        body = {
            "session_id": sid,
            "order": "asc",
            "page_size": 1000,
            "skip_rows": skip,
            "page_token": token,
        }
        resp = client.call("sessions", "GetLog", body)
        records.extend(resp.get("records", []))
        token = resp.get("next_page_token", "")
        if not token:
            return records


def iter_prints(client: Client, sid: str, after: int = 0) -> Iterator[dict[str, Any]]:
    """A session's prints after print ID `after`, fetched a page at a time."""
    while True:
        body = {"session_id": sid, "after_id": after}
        resp = client.call("sessions", "GetPrints", body)
        batch = resp.get("prints", [])
        yield from batch
        if not batch or not resp.get("next_page_token"):
            return
        after = int(batch[-1]["id"])


def session_state(client: Client, sid: str) -> str:
    """`COMPLETED`, ... ("" when the session does not exist)."""
    resp = client.call("sessions", "Get", {"session_id": sid})
    state = str((resp.get("session") or {}).get("state", ""))
    return state.removeprefix("SESSION_STATE_TYPE_")


def wait_created(client: Client, ref: str, deadline: float | None, poll: float) -> str:
    """Resolve `ref`, retrying while it does not exist yet (`--wait-created`)."""
    while True:
        try:
            sid = resolve(client, ref)
            if session_state(client, sid):
                return sid
        except NotFound:
            pass
        if deadline is not None and time.monotonic() >= deadline:
            raise AkError(f'timed out waiting for session "{ref}" to be created')
        time.sleep(poll)


def watch(
    client: Client,
    out: Renderer,
    sid: str,
    *,
    end_state: str = "",
    end_print_re: str = "",
    timeout: float = 0,
    poll: float = 0.25,
    no_ts: bool = False,
    quiet: bool = False,
    deadline: float | None = None,
) -> str:
    """Print new log records and prints until the session ends; its last state.

    Ends at a final state, at `end_state`, or at a print matching
    `end_print_re`; a timeout (0 = none) is an error.
    """
    pattern = re.compile(end_print_re) if end_print_re else None
    if deadline is None and timeout:
        deadline = time.monotonic() + timeout
    seen_logs, last_print = 0, 0
    while True:
        state = session_state(client, sid)
        if not state:
            raise NotFound(f'session ID "{sid}" not found')
        records = all_log(client, sid, seen_logs)
        seen_logs += len(records)
        prints = list(iter_prints(client, sid, last_print))
        if prints:
            last_print = int(prints[-1]["id"])
        merged = records + [{"t": p["t"], "print": {"text": p["v"]}} for p in prints]
        merged.sort(key=lambda r: str(r.get("t", "")))
        matched = False
        for rec in merged:
            if not quiet:
                show_record(out, rec, no_ts)
            if pattern and "print" in rec and pattern.search(rec["print"]["text"]):
                matched = True
        if matched or state in FINAL or (end_state and state == end_state):
            return state
        if deadline is not None and time.monotonic() >= deadline:
            raise AkError(f"timed out waiting for session {sid} (state {state})")
        time.sleep(poll)


def fail_on_end(state: str, sid: str, no_fail: bool) -> None:
    """Our decision (cli.md): ERROR and STOPPED end states exit 1."""
    if no_fail or state not in ("ERROR", "STOPPED"):
        return
    raise AkError(f"session {sid} ended {state}")
