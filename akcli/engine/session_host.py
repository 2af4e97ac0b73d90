"""The SQLite side of a running session: what the runner's messages turn into.

Every method commits before it returns: a journal entry acknowledged to the
runner is durable, so a kill -9 of the server never re-runs it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from akcli.engine.runner_types import JournalEntry, SyscallError
from akcli.engine.sessions_store import add_log
from akcli.engine.syscalls import Call, handle
from akcli.server.state import Server
from akcli.store.db import now

log = logging.getLogger("ak.session")

FLUSH_AFTER = 0.05  # seconds before a running activity's call_spec is written alone


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
        self._pending: list[dict[str, Any]] = []
        self._flush_timer: asyncio.TimerHandle | None = None

    async def on_print(self, key: str, text: str) -> None:
        self.srv.db.exec(
            "INSERT OR IGNORE INTO session_prints (session_id, key, t, text)"
            " VALUES (?, ?, ?, ?)",
            self.session_id,
            key,
            now(),
            text,
        )

    async def on_log(self, level: str, message: str) -> None:
        log.log(
            logging.getLevelName(level.upper()) if level else logging.INFO,
            "session %s: %s",
            self.session_id,
            message,
        )

    async def on_activity_start(
        self, seq: int, name: str, args: list[str], kwargs: dict[str, str]
    ) -> None:
        # The call_spec/attempt records join the journal entry's transaction (one
        # commit per activity); an activity still running after FLUSH_AFTER gets
        # them written on their own so `ak session log` shows what is running.
        self._pending = [
            {
                "call_spec": {
                    "function": {"name": name},
                    "args": args,
                    "kwargs": kwargs,
                    "seq": seq,
                }
            },
            {"call_attempt_start": {"seq": seq}},
        ]
        loop = asyncio.get_running_loop()
        self._flush_timer = loop.call_later(FLUSH_AFTER, self._flush_pending)

    def _flush_pending(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        pending, self._pending = self._pending, []
        if pending:
            with self.srv.db.tx():
                for record in pending:
                    add_log(self.srv, self.session_id, record)

    def close(self) -> None:
        """The run ended: write the call spec of an activity that never finished
        (its result could not be pickled, or the runner died) so the log keeps it."""
        self._flush_pending()

    async def on_activity_done(self, entry: JournalEntry) -> None:
        with self.srv.db.tx():
            self._flush_pending()
            self._journal(
                entry.seq, entry.name, entry.kind, entry.value, entry.is_error
            )
            add_log(
                self.srv,
                self.session_id,
                {
                    "call_attempt_complete": {
                        "seq": entry.seq,
                        "is_error": entry.is_error,
                    }
                },
            )

    def _journal(
        self, seq: int, name: str, kind: str, value: Any, is_error: bool
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
            now(),
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
