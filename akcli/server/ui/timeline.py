"""A session's timeline and transcript, computed from its log records and prints.

Pure functions over what the sessions service returns (GetLog records, GetPrints
prints, journaled timers): no I/O, so they are tested without a server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def parse_time(text: str) -> float:
    """RFC 3339 UTC (`2026-12-02T17:57:45.023057Z`) -> epoch seconds."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def fmt_time(text: str) -> str:
    """`2026-12-02T17:57:45.023057Z` -> `2026-12-02 17:57:45` (UTC)."""
    if not text:
        return ""
    t = datetime.fromtimestamp(parse_time(text), UTC)
    return t.strftime("%Y-%m-%d %H:%M:%S")


def fmt_duration(seconds: float) -> str:
    if seconds < 0:
        seconds = 0
    if seconds < 0.9995:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


@dataclass
class Bar:
    """One activity or timer on the timeline (times in epoch seconds)."""

    kind: str  # activity | sdk | timer
    seq: int
    name: str
    start: float
    end: float
    attempts: int = 1  # attempt records under this seq
    attempt: int = 0  # a retried activity's attempt number (each has its own seq)
    error: str = ""  # a failed attempt's error, as the record gives it
    failed: bool = False
    running: bool = False
    args: str = ""
    left: float = 0.0  # percent of the timeline's span
    width: float = 0.0

    @property
    def duration(self) -> str:
        return fmt_duration(self.end - self.start)


@dataclass
class Entry:
    """One line of the transcript: a print or a log record, in time order."""

    t: float
    time: str
    kind: str  # print | state | call | attempt | sdk | error
    text: str
    failed: bool = False


@dataclass
class Timeline:
    start: float
    end: float
    bars: list[Bar] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)

    @property
    def span(self) -> str:
        return fmt_duration(self.end - self.start)


def _call_text(spec: dict[str, Any]) -> str:
    fn = spec.get("function") or {}
    args = [str(a) for a in spec.get("args") or []]
    args += [f"{k}={v}" for k, v in (spec.get("kwargs") or {}).items()]
    return f"{fn.get('name', '?')}({', '.join(args)})"


def _record_entry(t: float, time: str, rec: dict[str, Any]) -> Entry | None:
    if "state" in rec:
        state = next(iter(rec["state"] or {"?": {}}))
        return Entry(t, time, "state", f"state: {state.upper()}")
    if "call_spec" in rec:
        spec = rec["call_spec"]
        return Entry(t, time, "call", f"call #{spec.get('seq')}: {_call_text(spec)}")
    if "call_attempt_complete" in rec:
        done = rec["call_attempt_complete"]
        bad = bool(done.get("is_error"))
        word = "failed" if bad else "returned"
        if done.get("attempt"):
            word += f" (attempt {done['attempt']})"
        if done.get("error"):
            word += f": {done['error']}"
        return Entry(t, time, "attempt", f"call #{done.get('seq')} {word}", bad)
    if "sdk_call" in rec:
        call = rec["sdk_call"]
        return Entry(t, time, "sdk", f"sdk #{call.get('seq')}: {_sdk_text(call)}")
    if "sdk_call_complete" in rec:
        done = rec["sdk_call_complete"]
        bad = bool(done.get("is_error"))
        word = "failed" if bad else "returned"
        return Entry(t, time, "sdk", f"sdk #{done.get('seq')} {word}", bad)
    if "error" in rec:
        return Entry(t, time, "error", "error", True)
    return None  # call_attempt_start: shown by the bar, not a line of its own


def _sdk_text(call: dict[str, Any]) -> str:
    """`{"op": "sleep", "args": {"seconds": "1"}}` -> `sleep(seconds=1)`."""
    args = call.get("args") or {}
    shown = [f"{k}={v}" for k, v in args.items()] if isinstance(args, dict) else []
    return f"{call.get('op', '?')}({', '.join(shown)})"


def build(
    records: list[dict[str, Any]],
    prints: list[dict[str, Any]],
    timers: list[dict[str, Any]],
    *,
    start: float,
    end: float,
    running: bool,
) -> Timeline:
    """Bars for activities (call_spec .. call_attempt_complete), SDK calls
    (sdk_call .. sdk_call_complete) and timers, laid out on [start, end]; prints
    and records merged by time."""
    acts: dict[int, Bar] = {}
    sdk: dict[int, Bar] = {}
    sleeps: dict[int, str] = {}  # seq -> `sleep(seconds=1)`
    entries: list[Entry] = []
    for rec in records:
        t = parse_time(rec["t"])
        if "call_spec" in rec:
            spec = rec["call_spec"]
            seq = int(spec.get("seq") or 0)
            name = str((spec.get("function") or {}).get("name") or "?")
            bar = Bar("activity", seq, name, t, t, attempts=0, running=True)
            bar.args = _call_text(spec)
            acts[seq] = bar
        elif "sdk_call" in rec:  # journaled SDK calls; a sleep is its timer's bar
            call = rec["sdk_call"]
            seq = int(call.get("seq") or 0)
            if call.get("op") == "sleep":
                sleeps[seq] = _sdk_text(call)
            else:
                sdk[seq] = Bar("sdk", seq, str(call.get("op")), t, t, running=True)
                sdk[seq].args = _sdk_text(call)
        elif "sdk_call_complete" in rec:
            done = rec["sdk_call_complete"]
            seq = int(done.get("seq") or 0)
            if seq in sdk:
                sdk[seq].end = t
                sdk[seq].running = False
                sdk[seq].failed = bool(done.get("is_error"))
        elif "call_attempt_start" in rec:
            start_rec = rec["call_attempt_start"]
            seq = int(start_rec.get("seq") or 0)
            if seq in acts:
                acts[seq].attempts += 1
                acts[seq].attempt = int(start_rec.get("attempt") or 0)
        elif "call_attempt_complete" in rec:
            done = rec["call_attempt_complete"]
            seq = int(done.get("seq") or 0)
            if seq in acts:
                acts[seq].end = t
                acts[seq].running = False
                acts[seq].failed = bool(done.get("is_error"))
                acts[seq].error = str(done.get("error") or "")
        entry = _record_entry(t, rec["t"], rec)
        if entry is not None:
            entries.append(entry)
    for p in prints:
        t = parse_time(p["t"])
        entries.append(Entry(t, p["t"], "print", str(p["v"])))
    bars = list(acts.values()) + list(sdk.values())
    for bar in bars:
        bar.attempts = max(bar.attempts, 1)
        if bar.running:  # no completion record: still running, or cut off
            bar.end = end
            bar.running = running
            bar.failed = not running
    for tm in timers:
        t0 = parse_time(tm["started_at"])
        wake = float(tm["wake_at"])
        seq = int(tm["seq"])
        bar = Bar("timer", seq, "sleep", t0, min(wake, end), running=wake > end)
        bar.args = sleeps.get(seq, "")
        bars.append(bar)
    bars.sort(key=lambda b: (b.start, b.seq))
    span = max(end - start, 1e-3)
    for bar in bars:
        bar.left = max(0.0, min(100.0, (bar.start - start) / span * 100))
        bar.width = max(0.4, min(100.0 - bar.left, (bar.end - bar.start) / span * 100))
    entries.sort(key=lambda e: e.t)  # stable: a record and a print at one t keep order
    return Timeline(start=start, end=end, bars=bars, entries=entries)


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def first_line(error: str) -> str:
    """The line that says what went wrong: `error: <repr>` without `error: `."""
    for line in error.splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("error: ")
    return ""
