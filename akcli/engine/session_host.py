"""The store side of a running session: what the runner's messages turn into.

Every method commits before it returns: a journal entry acknowledged to the
runner is durable, so a kill -9 of the server never re-runs it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable
from json.encoder import encode_basestring_ascii as _json_str
from typing import Any

from akcli.engine import chaos, waits
from akcli.engine.context import EngineContext
from akcli.engine.runner_types import (
    ActivityCall,
    Attempt,
    JournalEntry,
    Superseded,
    SyscallError,
)
from akcli.engine.syscalls import Call, handle
from akcli.states import DeploymentState
from akcli.store.db import now

log = logging.getLogger("ak.session")
COMMIT_TIMES_BATCH = 32  # journal commit times written per batch (--timings)
DROPPED_KEY = "ak:dropped-prints"


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


# Syscalls that wait (for an event, a signal): their call spec is logged at once.
_WAITING_OPS = waits.WAITING_OPS


def _sdk_done(seq: int, is_error: bool) -> str:
    """The ``sdk_call_complete`` log record of SDK call ``seq``."""
    err = "true" if is_error else "false"
    return f'{{"sdk_call_complete": {{"seq": {seq:d}, "is_error": {err}}}}}'


def _short(value: Any, limit: int = 200) -> str:
    """A short display of a syscall argument (a JSON value)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_journal(srv: EngineContext, session_id: str) -> list[JournalEntry]:
    return [
        JournalEntry(
            seq=r.seq,
            name=r.name,
            kind=r.kind,
            value=json.loads(r.value) if r.kind == "json" else r.value,
            is_error=r.is_error,
            site=json.loads(r.site) if r.site else None,
            args_hash=r.args_hash,
        )
        for r in srv.store.journal.for_session(session_id)
    ]


class DbSessionHost:
    """Implements the runner pool's SessionHost protocol on the server's store."""

    # An evicted wait is kept (and ended) by the session's Temporal workflow,
    # not woken by the engine's scan of the store (akcli/engine/waits.py).
    waits_in_workflow = False

    def __init__(
        self, srv: EngineContext, session_id: str, run_epoch: int | None = None
    ) -> None:
        self.srv = srv
        self.session_id = session_id
        # Set when another worker may run the same session at the same time
        # (engine temporal): every journal row checks it in its transaction.
        self.run_epoch = run_epoch
        # (commit seconds, seq) of journaled activities, written in a batch with
        # a later write (a commit cannot record its own duration) or at close():
        # a kill -9 loses the last few (display only).
        self._commit_times: list[tuple[float, int]] = []
        self._print_cap = srv.config.get_int("sessions.max_prints_size")
        self._print_bytes: int | None = None  # stored so far (from the store)
        self._dropped = [0, 0]  # prints, bytes over the cap

    def on_print(self, key: str, text: str) -> None:
        """Store a print, unless the session's prints would exceed
        `sessions.max_prints_size` bytes: then one marker print counts what
        was dropped (updated every 100 drops and when the run ends)."""
        if chaos.DIR is not None:
            chaos.trace({"sid": self.session_id, "key": key, "text": text})
        size = len(text.encode("utf-8", "surrogatepass"))
        prints = self.srv.store.prints
        if self._print_bytes is None:
            self._print_bytes = prints.stored_bytes(self.session_id, DROPPED_KEY)
        if self._print_cap > 0 and self._print_bytes + size > self._print_cap:
            self._dropped[0] += 1
            self._dropped[1] += size
            if self._dropped[0] % 100 == 1:
                self._write_dropped()
            return
        if prints.add(self.session_id, key, now(), text):  # not a replayed one
            self._print_bytes += size

    def _write_dropped(self) -> None:
        n, size = self._dropped
        text = (
            f"[ak] {n} print{'' if n == 1 else 's'} ({size} bytes) dropped: this"
            f" session's prints exceed sessions.max_prints_size ({self._print_cap}"
            " bytes)"
        )
        self.srv.store.prints.put(self.session_id, DROPPED_KEY, now(), text)

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
        t: float | None = None,
        attempt: Attempt | None = None,
    ) -> None:
        # The runner sends this only for an activity still running after its
        # flush delay (or one that will never finish): show it at once, with
        # the time it started.
        records = _call_records(seq, name, args, kwargs, attempt)
        self._write(None, records, started=t, n_started=len(records))

    def close(self) -> None:
        """The run ended: write the last commit times and the dropped-prints
        count. No call spec is buffered here: the runner sends that of an
        activity that never finishes (runner/protocol.py)."""
        if self._dropped[0] % 100 != 1 and self._dropped[0]:
            self._write_dropped()
        if self._commit_times:
            with self.srv.store.tx():
                self._flush_commit_times()

    def _flush_commit_times(self) -> None:
        times, self._commit_times = self._commit_times, []
        self.srv.store.journal.set_commit_times(self.session_id, times)

    def on_activity_done(
        self,
        entry: JournalEntry,
        call: ActivityCall | None = None,
        attempt: Attempt | None = None,
    ) -> Awaitable[None] | None:
        # One commit per activity: journal row and log records together.
        seq = entry.seq
        if chaos.DIR is not None:
            chaos.trace({"sid": self.session_id, "seq": seq, "name": entry.name})
        records = []
        if call is not None:
            records = _call_records(seq, entry.name, call.args, call.kwargs, attempt)
        n_started = len(records)
        records.append(_complete_record(seq, entry.is_error, attempt))
        started = None if call is None else call.t
        t0 = time.perf_counter()
        self._write(entry, records, started=started, n_started=n_started)
        self._commit_times.append((time.perf_counter() - t0, seq))
        if chaos.DIR is not None:
            chaos.after_commit(self.session_id, seq)
        return None

    def _write(
        self,
        entry: JournalEntry | None,
        records: list[str],
        started: float | None = None,
        n_started: int = 0,
    ) -> None:
        """Commit a journal entry (if any) and log records in one transaction.

        The first ``n_started`` records (a call spec and its attempt start) get
        the unix time ``started`` when given, the others the current time.
        """
        t = now()
        first_t = t if started is None else now(started)
        rows = [(first_t if i < n_started else t, r) for i, r in enumerate(records)]
        store = self.srv.store
        pending: list[tuple[float, int]] = []
        try:
            with store.tx():
                if entry is not None:
                    self._journal(
                        entry.seq,
                        entry.name,
                        entry.kind,
                        entry.value,
                        entry.is_error,
                        t,
                        entry,
                    )
                store.logs.append_encoded(self.session_id, rows)
                pending = self._commit_times
                if len(pending) >= COMMIT_TIMES_BATCH:
                    self._flush_commit_times()
                else:
                    pending = []
        except BaseException:  # rolled back: the commit times are still to write
            if pending:
                self._commit_times = pending + self._commit_times
            raise

    def _journal(
        self,
        seq: int,
        name: str,
        kind: str,
        value: Any,
        is_error: bool,
        t: str = "",
        entry: JournalEntry | None = None,
    ) -> None:
        epoch = self.run_epoch
        if epoch is not None and not self.srv.store.sessions.run_is(
            self.session_id, epoch
        ):
            raise Superseded(f"session {self.session_id}: run {epoch} superseded")
        stored = json.dumps(value) if kind == "json" else str(value)
        # Entries without a call site or timings (SDK calls, replies) store
        # the columns' defaults: '' and NULL.
        site = entry.site if entry is not None else None
        self.srv.store.journal.add(
            self.session_id,
            seq,
            name,
            kind,
            stored,
            is_error,
            t or now(),
            "" if site is None else json.dumps(site),
            entry.args_hash if entry is not None else "",
            entry.queue_s if entry is not None else None,
            entry.exec_s if entry is not None else None,
        )

    async def on_syscall(self, seq: int | None, op: str, args: dict[str, Any]) -> Any:
        if seq is not None:
            row = self.srv.store.journal.get(self.session_id, seq)
            if row is not None:  # answered before a restart: same answer again
                if row.is_error:
                    raise SyscallError(json.loads(row.value))
                return json.loads(row.value)
            return await self._logged_syscall(seq, op, args)
        return await self._syscall(seq, op, args)

    async def _logged_syscall(self, seq: int, op: str, args: dict[str, Any]) -> Any:
        """A journaled SDK call (durable workflow: sleep, store, subscribe,
        signals, ...), shown in the session log: an ``sdk_call`` record timed at
        its start (written at once for a call that waits), an
        ``sdk_call_complete`` at its end. Not ``call_spec``: those are the
        session's activities (``ak session test`` compares them)."""
        started = time.time()
        shown = {k: _short(v) for k, v in args.items()}
        spec = [json.dumps({"sdk_call": {"op": op, "args": shown, "seq": seq}})]
        resumed = False
        if op in _WAITING_OPS:
            # Resumed after an eviction: the record is there, the deadline kept.
            args, resumed = waits.resume_args(self.srv, self.session_id, seq, args)
            if not resumed:
                self._write(None, spec, started=started, n_started=1)
            spec = []
        try:
            if op in _WAITING_OPS:
                value = await waits.evictable(
                    self.srv,
                    self.session_id,
                    seq,
                    op,
                    args,
                    self._syscall(seq, op, args),
                    in_workflow=self.waits_in_workflow,
                )
            else:
                value = await self._syscall(seq, op, args)
        except SyscallError:
            self._write(None, [*spec, _sdk_done(seq, True)], started, len(spec))
            if resumed:
                waits.clear(self.srv, self.session_id, seq)
            raise
        # (A cancelled call, the session stopping, has no completion record.)
        self._write(None, [*spec, _sdk_done(seq, False)], started, len(spec))
        if resumed:
            waits.clear(self.srv, self.session_id, seq)
        if op == "sleep" and isinstance(value, dict):  # journaled: may evict now
            await self._after_sleep(seq, float(value["wake_at"]))
        return value

    async def _after_sleep(self, seq: int, wake_at: float) -> None:
        """A journaled sleep's reply is about to go: a long one evicts."""
        await waits.hold_sleep(self.srv, self.session_id, seq, wake_at)

    async def _syscall(self, seq: int | None, op: str, args: dict[str, Any]) -> Any:
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
            return await self._handle(call, args)
        except SyscallError as e:
            if seq is not None:
                with self.srv.store.tx():
                    self._journal(seq, op, "json", str(e), True)
            raise

    async def _handle(self, call: Call, args: dict[str, Any]) -> Any:
        """Answer a syscall (the Temporal host answers some in its workflow)."""
        return await handle(call, args)

    def _sleep(self, args: dict[str, Any]) -> dict[str, float]:
        seconds = args.get("seconds")
        if not isinstance(seconds, int | float) or seconds < 0:
            raise SyscallError(f"invalid sleep duration {seconds!r}")
        return {"wake_at": time.time() + float(seconds)}

    def _deployment_active(self) -> bool:
        dep = self.srv.store.deployments.of_session(self.session_id)
        return dep is not None and dep.state is DeploymentState.ACTIVE
