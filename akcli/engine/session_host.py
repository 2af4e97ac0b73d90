"""The SQLite side of a running session: what the runner's messages turn into.

Every method commits before it returns: a journal entry acknowledged to the
runner is durable, so a kill -9 of the server never re-runs it.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
import time
from json.encoder import encode_basestring_ascii as _json_str
from typing import Any

from akcli.engine.runner_types import (
    ActivityCall,
    Attempt,
    JournalEntry,
    SyscallError,
)
from akcli.engine.syscalls import Call, handle
from akcli.server.state import Server
from akcli.store.db import now

log = logging.getLogger("ak.session")


def _call_records(
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


def _complete_record(seq: int, is_error: bool, attempt: Attempt | None) -> str:
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


@functools.cache
def _log_insert(n: int) -> str:
    """An INSERT of ``n`` session_logs rows."""
    rows = ", ".join(["(?, ?, ?, ?)"] * n)
    return f"INSERT INTO session_logs (session_id, seq, t, record) VALUES {rows}"


def _log_rows(session_id: str, first: int, t: str, records: list[str]) -> list[Any]:
    """The parameters of ``_log_insert(len(records))``."""
    out: list[Any] = []
    for i, record in enumerate(records):
        out += (session_id, first + i, t, record)
    return out


def load_journal(srv: Server, session_id: str) -> list[JournalEntry]:
    rows = srv.db.all(
        "SELECT seq, name, kind, value, is_error FROM journal WHERE session_id = ?"
        " ORDER BY seq",
        session_id,
    )
    return [
        JournalEntry(
            seq=r["seq"],
            name=r["name"],
            kind=r["kind"],
            value=json.loads(r["value"]) if r["kind"] == "json" else r["value"],
            is_error=bool(r["is_error"]),
        )
        for r in rows
    ]


class DbSessionHost:
    """Implements the runner pool's SessionHost protocol on the server's store."""

    def __init__(self, srv: Server, session_id: str) -> None:
        self.srv = srv
        self.session_id = session_id
        self._next_log: int | None = None  # session_logs seq of the next record

    def on_print(self, key: str, text: str) -> None:
        self.srv.db.exec(
            "INSERT OR IGNORE INTO session_prints (session_id, key, t, text)"
            " VALUES (?, ?, ?, ?)",
            self.session_id,
            key,
            now(),
            text,
        )

    def on_log(self, level: str, message: str) -> None:
        log.log(
            logging.getLevelName(level.upper()) if level else logging.INFO,
            "session %s: %s",
            self.session_id,
            message,
        )

    def on_activity_start(
        self,
        seq: int,
        name: str,
        args: list[str],
        kwargs: dict[str, str],
        attempt: Attempt | None = None,
    ) -> None:
        # The runner sends this only for an activity still running after its
        # flush delay (or one that will never finish): show it at once.
        self._write(None, _call_records(seq, name, args, kwargs, attempt))

    def close(self) -> None:
        """The run ended. Nothing is buffered here: the runner sends the call
        spec of an activity that never finishes (runner/protocol.py)."""

    def on_activity_done(
        self,
        entry: JournalEntry,
        call: ActivityCall | None = None,
        attempt: Attempt | None = None,
    ) -> None:
        # One commit per activity: journal row and log records together.
        seq = entry.seq
        records = [] if call is None else _call_records(seq, entry.name, *call, attempt)
        records.append(_complete_record(seq, entry.is_error, attempt))
        self._write(entry, records)

    def _write(self, entry: JournalEntry | None, records: list[str]) -> None:
        """Commit a journal entry (if any) and log records in one transaction."""
        t = now()
        try:
            with self.srv.db.tx():
                if entry is not None:
                    self._journal(
                        entry.seq,
                        entry.name,
                        entry.kind,
                        entry.value,
                        entry.is_error,
                        t,
                    )
                self._add_logs(t, records)
        except BaseException:
            self._next_log = None  # rolled back: look the seq up again
            raise

    def _add_logs(self, t: str, records: list[str]) -> None:
        # The rows of sessions_store.add_log in one statement, records serialized
        # by the caller (the activity hot path). The next seq is remembered: when
        # another writer (a state change, a stop request) took it, the insert
        # fails on the primary key and is redone after reading MAX(seq).
        db = self.srv.db
        sql = _log_insert(len(records))
        first = self._next_log
        if first is not None:
            try:
                db.exec(sql, *_log_rows(self.session_id, first, t, records))
            except sqlite3.IntegrityError:
                first = None
        if first is None:
            row = db.one(
                "SELECT COALESCE(MAX(seq), 0) FROM session_logs WHERE session_id = ?",
                self.session_id,
            )
            first = int(row[0]) + 1 if row is not None else 1
            db.exec(sql, *_log_rows(self.session_id, first, t, records))
        self._next_log = first + len(records)

    def _journal(
        self, seq: int, name: str, kind: str, value: Any, is_error: bool, t: str = ""
    ) -> None:
        stored = json.dumps(value) if kind == "json" else str(value)
        self.srv.db.exec(
            "INSERT OR IGNORE INTO journal (session_id, seq, name, kind, value, is_error,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            self.session_id,
            seq,
            name,
            kind,
            stored,
            int(is_error),
            t or now(),
        )

    async def on_syscall(self, seq: int | None, op: str, args: dict[str, Any]) -> Any:
        if seq is not None:
            row = self.srv.db.one(
                "SELECT value, is_error FROM journal WHERE session_id = ? AND seq = ?",
                self.session_id,
                seq,
            )
            if row is not None:  # answered before a restart: same answer again
                if row["is_error"]:
                    raise SyscallError(json.loads(row["value"]))
                return json.loads(row["value"])
        call = Call(
            self.srv,
            self.session_id,
            seq,
            op,
            lambda s, name, value: self._journal(s, name, "json", value, False),
        )
        try:
            if op == "sleep":
                return call.finish(self._sleep(args))
            if op == "is_deployment_active":
                return self._deployment_active()
            return await handle(call, args)
        except SyscallError as e:
            if seq is not None:
                with self.srv.db.tx():
                    self._journal(seq, op, "json", str(e), True)
            raise

    def _sleep(self, args: dict[str, Any]) -> dict[str, float]:
        seconds = args.get("seconds")
        if not isinstance(seconds, int | float) or seconds < 0:
            raise SyscallError(f"invalid sleep duration {seconds!r}")
        return {"wake_at": time.time() + float(seconds)}

    def _deployment_active(self) -> bool:
        row = self.srv.db.one(
            "SELECT d.state FROM sessions s JOIN deployments d"
            " ON d.deployment_id = s.deployment_id WHERE s.session_id = ?",
            self.session_id,
        )
        return bool(row and row["state"] == "DEPLOYMENT_STATE_ACTIVE")
