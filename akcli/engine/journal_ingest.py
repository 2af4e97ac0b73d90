"""Storing what a run left only in its journal file (runner/journal_file.py).

When a runner ends, or before a session resumes after a crash, its journal
file may hold lines the server never received or never stored: results
(``activity_done``), prints and call specs (``activity_start``).
Each is stored unless the store has it: a result by its seq, a print by its
key (the store keeps the first of each), a call spec by its seq among the
lines received from this run or the session log's ``call_spec`` records.
"""

from __future__ import annotations

import contextlib
import os
from typing import Protocol

from akcli.engine import runner_messages as messages
from akcli.engine.context import EngineContext
from akcli.engine.runner_types import ActivityCall, Attempt, JournalEntry
from runner import protocol
from runner.journal_file import line_seq, read_records

__all__ = ["store_file"]


class Host(Protocol):
    """What of DbSessionHost storing a file needs."""

    srv: EngineContext
    session_id: str
    received: set[int]  # seqs of results received on the socket
    received_starts: set[int]  # seqs of call specs received on the socket

    def on_activity_journaled(
        self,
        entry: JournalEntry,
        call: ActivityCall | None = None,
        attempt: Attempt | None = None,
    ) -> None: ...

    def on_activity_start(
        self,
        seq: int,
        name: str,
        args: list[str],
        kwargs: dict[str, str],
        t: float | None = None,
        attempt: Attempt | None = None,
    ) -> None: ...

    def on_print(self, key: str, text: str) -> None: ...

    def flush(self) -> None: ...


def store_file(host: Host, path: str) -> int:
    """Store the file's lines missing from the store, in file order; remove
    the file. Returns how many results were stored."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return 0
    journal = host.srv.store.journal
    sid = host.session_id
    specs: set[int] | None = None  # seqs with a call_spec in the log
    stored = 0
    for line in read_records(data):
        seq = line_seq(line)  # activity_done lines, without json
        if seq is not None:
            if seq in host.received or journal.get(sid, seq) is not None:
                continue
            done = messages.activity_done(protocol.decode(line)[1])
            host.on_activity_journaled(done.entry, done.call, done.attempt)
            stored += 1
            continue
        msg_type, payload = protocol.decode(line)
        if msg_type == protocol.PRINT:
            host.on_print(str(payload.get("key", "")), str(payload.get("text", "")))
        elif msg_type == protocol.ACTIVITY_START:
            start = messages.activity_start(payload)
            if specs is None:
                specs = _call_spec_seqs(host.srv, sid) | host.received_starts
            if start.seq in specs:
                continue
            specs.add(start.seq)
            extra = {} if start.attempt is None else {"attempt": start.attempt}
            host.on_activity_start(
                start.seq, start.name, start.args, start.kwargs, t=start.t, **extra
            )
    host.flush()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    return stored


def _call_spec_seqs(srv: EngineContext, sid: str) -> set[int]:
    """Seqs of the session log's call specs (read once per file, rarely)."""
    seqs: set[int] = set()
    for row in srv.store.logs.after(sid, 0):
        spec = row.record.get("call_spec")
        if isinstance(spec, dict) and isinstance(spec.get("seq"), int):
            seqs.add(spec["seq"])
    return seqs
