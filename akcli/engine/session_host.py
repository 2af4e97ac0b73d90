"""The store side of a running session: what the runner's messages turn into.

Every method commits before it returns: a journal entry acknowledged to the
runner is durable, so a kill -9 of the server never re-runs it. Except
``on_activity_journaled``: the runner committed that result to its journal
file (akcli/engine/journal_files.py); it is stored by ``flush``, which every
other write calls first, so the store keeps the order the runner sent in.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable
from typing import Any

from akcli.engine import chaos, journal_ingest, waits
from akcli.engine.context import EngineContext
from akcli.engine.log_records import call_records, done_records, sdk_done, short
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
# A journal row for store.journal.add_many: seq, name, kind, value, is_error,
# created_at, site, args_hash, queue_s, exec_s.
JournalRowValues = tuple[
    int, str, str, str, bool, str, str, str, float | None, float | None
]
COMMIT_TIMES_BATCH = 32  # journal commit times written per batch (--timings)
DROPPED_KEY = "ak:dropped-prints"


# Syscalls that wait (for an event, a signal): their call spec is logged at once.
_WAITING_OPS = waits.WAITING_OPS


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
        # The run's journal file (akcli/engine/journal_files.py), and the
        # results the runner committed there: received, to store at flush().
        self.journal_path: str | None = None
        self._pending: list[tuple[int, JournalRowValues, list[tuple[str, str]]]] = []
        self.received: set[int] = set()
        self.received_starts: set[int] = set()  # activity_start seqs

    def on_print(self, key: str, text: str) -> None:
        """Store a print, unless the session's prints would exceed
        `sessions.max_prints_size` bytes: then one marker print counts what
        was dropped (updated every 100 drops and when the run ends)."""
        if chaos.DIR is not None:
            chaos.trace({"sid": self.session_id, "key": key, "text": text})
        if self._pending:  # stored in the order the runner sent them
            self.flush()
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
        if self._pending:
            self.flush()
        if self.journal_path is not None:
            self.received_starts.add(seq)
        records = call_records(seq, name, args, kwargs, attempt)
        self._write(None, records, started=t, n_started=len(records))

    def close(self) -> None:
        """The run ended: write the last commit times and the dropped-prints
        count. No call spec is buffered here: the runner sends that of an
        activity that never finishes (runner/protocol.py). The results the
        runner committed to its journal file and did not send are stored."""
        self.flush()
        self.store_journal_file()
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
        if self._pending:
            self.flush()
        records, started, n_started = done_records(entry, call, attempt)
        t0 = time.perf_counter()
        self._write(entry, records, started=started, n_started=n_started)
        self._commit_times.append((time.perf_counter() - t0, seq))
        if chaos.DIR is not None:
            chaos.after_commit(self.session_id, seq)
        return None

    def on_activity_journaled(
        self,
        entry: JournalEntry,
        call: ActivityCall | None = None,
        attempt: Attempt | None = None,
    ) -> None:
        """A result the runner committed to its journal file: stored at the
        next :meth:`flush` (with the others received by then, one commit),
        always before anything the runner sent after it."""
        seq = entry.seq
        if chaos.DIR is not None:
            chaos.trace({"sid": self.session_id, "seq": seq, "name": entry.name})
        self.received.add(seq)
        records, started, n_started = done_records(entry, call, attempt)
        t = now()
        first_t = t if started is None else now(started)
        rows = [(first_t if i < n_started else t, r) for i, r in enumerate(records)]
        site = "" if entry.site is None else json.dumps(entry.site)
        row = (
            seq, entry.name, entry.kind, str(entry.value), entry.is_error, t, site,
            entry.args_hash, entry.queue_s, entry.exec_s,
        )  # fmt: skip
        self._pending.append((seq, row, rows))

    def flush(self) -> None:
        """Store the received journaled results (one transaction)."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        store = self.srv.store
        t0 = time.perf_counter()
        try:
            with store.tx():
                self._check_run()
                store.journal.add_many(self.session_id, [p[1] for p in pending])
                store.logs.append_encoded(
                    self.session_id, [row for p in pending for row in p[2]]
                )
                if len(self._commit_times) >= COMMIT_TIMES_BATCH:
                    self._flush_commit_times()
        except BaseException:
            self._pending = pending + self._pending
            raise
        share = (time.perf_counter() - t0) / len(pending)  # one commit for all
        self._commit_times.extend([(share, p[0]) for p in pending])
        if chaos.DIR is not None:
            for seq, _, _ in pending:
                chaos.after_commit(self.session_id, seq)

    def store_journal_file(self) -> int:
        """Store what the run's journal file holds and the store does not
        (akcli/engine/journal_ingest.py), then remove the file. Only while no
        runner writes it. Returns how many results were stored."""
        if self.journal_path is None:
            return 0
        stored = journal_ingest.store_file(self, self.journal_path)
        if stored:
            log.info(
                "session %s: %d results stored from its journal file",
                self.session_id,
                stored,
            )
        return stored

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

    def _check_run(self) -> None:
        """In a journal row's transaction: this run still holds the session."""
        epoch = self.run_epoch
        if epoch is not None and not self.srv.store.sessions.run_is(
            self.session_id, epoch
        ):
            raise Superseded(f"session {self.session_id}: run {epoch} superseded")

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
        self._check_run()
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
        if self._pending:  # what the runner journaled before this call
            self.flush()
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
        shown = {k: short(v) for k, v in args.items()}
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
            self._write(None, [*spec, sdk_done(seq, True)], started, len(spec))
            if resumed:
                waits.clear(self.srv, self.session_id, seq)
            raise
        # (A cancelled call, the session stopping, has no completion record.)
        self._write(None, [*spec, sdk_done(seq, False)], started, len(spec))
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
