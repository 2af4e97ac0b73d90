"""The session log records of activities and SDK calls, as ``json.dumps``
writes them (built by hand: once or twice per activity, on its hot path)."""

from __future__ import annotations

from json.encoder import encode_basestring_ascii as _json_str
from typing import Any

from akcli.engine.runner_types import ActivityCall, Attempt, JournalEntry

__all__ = ["call_records", "done_records", "sdk_done", "short"]


def call_records(
    seq: int,
    name: str,
    args: list[str],
    kwargs: dict[str, str],
    attempt: Attempt | None = None,
) -> list[str]:
    """The ``call_spec`` and ``call_attempt_start`` log records of an activity,
    as ``json.dumps`` writes them (without its object walk: activity hot path).
    A retried activity's attempt number goes into ``call_attempt_start``."""
    q = _json_str
    kw = ", ".join([f"{q(k)}: {q(v)}" for k, v in kwargs.items()])
    num = "" if attempt is None else f', "attempt": {attempt.number:d}'
    return [
        f'{{"call_spec": {{"function": {{"name": {q(name)}}}, "args": '
        f'[{", ".join([q(a) for a in args])}], "kwargs": {{{kw}}}, "seq": {seq:d}}}}}',
        f'{{"call_attempt_start": {{"seq": {seq:d}{num}}}}}',
    ]


def complete_record(seq: int, is_error: bool, attempt: Attempt | None) -> str:
    """The ``call_attempt_complete`` record (with a retried one's attempt/error)."""
    extra = ""
    if attempt is not None:
        extra = f', "attempt": {attempt.number:d}'
        if attempt.error is not None:
            extra += f', "error": {_json_str(attempt.error)}'
    return (
        f'{{"call_attempt_complete": {{"seq": {seq:d}, "is_error": '
        f"{'true' if is_error else 'false'}{extra}}}}}"
    )


def done_records(
    entry: JournalEntry, call: ActivityCall | None, attempt: Attempt | None
) -> tuple[list[str], float | None, int]:
    """An activity result's log records (its call spec first when it came
    along), the time its call spec records get, and how many those are."""
    seq = entry.seq
    records = []
    if call is not None:
        records = call_records(seq, entry.name, call.args, call.kwargs, attempt)
    n_started = len(records)
    records.append(complete_record(seq, entry.is_error, attempt))
    return records, None if call is None else call.t, n_started


def sdk_done(seq: int, is_error: bool) -> str:
    """The ``sdk_call_complete`` log record of SDK call ``seq``."""
    err = "true" if is_error else "false"
    return f'{{"sdk_call_complete": {{"seq": {seq:d}, "is_error": {err}}}}}'


def short(value: Any, limit: int = 200) -> str:
    """A short display of a syscall argument (a JSON value)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
