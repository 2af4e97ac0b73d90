"""The session host of a durable session run by the Temporal engine.

As the built-in one (the ak store keeps journal, prints and logs), plus: a
completed activity call is recorded in the session's workflow (update
``record_call``) before the runner is acknowledged, a journaled sleep waits
on a Temporal timer (update ``durable_sleep``) instead of evicting, and
``next_signal`` / ``next_event`` wait in the workflow (update ``wait``) for a
signal or event it was sent (Temporal signals ``ak_signal`` / ``ak_event``):
the workflow says which one, this host consumes it in the store in the
transaction that journals it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from functools import partial
from typing import Any

from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)

from akcli.engine import chaos
from akcli.engine.context import EngineContext
from akcli.engine.runner_types import (
    ActivityCall,
    Attempt,
    Evicted,
    JournalEntry,
    SyscallError,
)
from akcli.engine.session_host import DbSessionHost
from akcli.engine.syscall_call import Call, deadline_of
from akcli.engine.temporal.waits_state import EVENT, SIGNAL
from akcli.engine.temporal.workflow import AkSession

log = logging.getLogger("ak.temporal")


class TemporalSessionHost(DbSessionHost):
    waits_in_workflow = True

    def __init__(
        self,
        srv: EngineContext,
        session_id: str,
        client: Client,
        run_epoch: int | None = None,
    ) -> None:
        super().__init__(srv, session_id, run_epoch)
        self.workflow: WorkflowHandle[Any, Any] = client.get_workflow_handle(session_id)
        self.evicted_seq: int | None = None  # the wait its runner exited in

    def on_activity_done(
        self,
        entry: JournalEntry,
        call: ActivityCall | None = None,
        attempt: Attempt | None = None,
    ) -> Awaitable[None] | None:
        super().on_activity_done(entry, call, attempt)  # committed to the store
        return self.record(entry.seq, entry.name, str(entry.value))

    async def record(self, seq: int, name: str, result_b64: str) -> None:
        """Record call ``seq`` in the workflow (the runner waits for its ack)."""
        await self._update(AkSession.record_call, [seq, name, result_b64], seq)

    async def _update(self, update: Any, args: list[Any], seq: int) -> Any:
        """Run a workflow update; retried while Temporal is away."""
        delay = 0.2
        while True:
            try:
                return await self.workflow.execute_update(update, args=args)
            except asyncio.CancelledError:
                raise
            except WorkflowUpdateRPCTimeoutOrCancelledError:
                me = asyncio.current_task()
                if me is not None and me.cancelling():  # (an eviction)
                    raise asyncio.CancelledError from None
                continue  # a long wait's poll timed out: wait again (same seq)
            except Exception as e:  # noqa: BLE001 - Temporal unreachable: retry
                log.warning(
                    "session %s: update %s of call %d failed (%s); retrying in %.1f s",
                    self.session_id,
                    getattr(update, "__name__", update),
                    seq,
                    e,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _after_sleep(self, seq: int, wake_at: float) -> None:
        # (by name: the decorator's options hide the method's type from mypy)
        await self.workflow.execute_update("durable_sleep", args=[seq, wake_at])

    async def on_syscall(self, seq: int | None, op: str, args: dict[str, Any]) -> Any:
        try:
            return await super().on_syscall(seq, op, args)
        except Evicted:
            self.evicted_seq = seq
            raise

    async def _handle(self, call: Call, args: dict[str, Any]) -> Any:
        if call.seq is not None and call.op == "next_signal":
            return await self._next_signal(call, call.seq, args)
        if call.seq is not None and call.op == "next_event":
            return await self._next_event(call, call.seq, args)
        return await super()._handle(call, args)

    async def _wait(
        self, seq: int, kind: str, names: list[str], args: dict[str, Any], known: Any
    ) -> Any:
        deadline_of(args)  # validates the timeout
        timeout = float(args.get("timeout") or 0)
        return await self._update("wait", [seq, kind, names, timeout, known], seq)

    async def _next_signal(self, call: Call, seq: int, args: dict[str, Any]) -> Any:
        names = args.get("names") or []
        if isinstance(names, str):
            names = [names]
        if not names or not all(isinstance(n, str) for n in names):
            raise SyscallError("next_signal: names must be a non-empty list of strings")
        signals = self.srv.store.signals
        # Already in the store (sent before the workflow existed, or its
        # delivery was cut by a crash): the workflow drops a duplicate.
        row = signals.next_pending(self.session_id, names)
        known = [] if row is None else [[row.id, row.name]]
        answer = await self._wait(seq, SIGNAL, names, args, known)
        if chaos.DIR is not None:
            chaos.before_commit(self.session_id, seq)
        if answer is None:
            return call.finish(None)
        got = signals.get(int(answer["id"]))
        if got is None:
            raise SyscallError(f"signal {answer['id']} not found")
        result = {"name": got.name, "payload": got.payload}
        return call.finish(result, partial(signals.consume, got.id))

    async def _next_event(self, call: Call, seq: int, args: dict[str, Any]) -> Any:
        ids = args.get("subscription_ids") or []
        if isinstance(ids, str):
            ids = [ids]
        store = self.srv.store
        subs = {}
        known = []
        for sub_id in ids:
            sub = store.subscriptions.get(str(sub_id), self.session_id)
            if sub is None or not sub.active:
                raise SyscallError(f'subscription "{sub_id}" not found')
            subs[sub.subscription_id] = sub
            first = await first_match(
                self.srv, sub.destination_id, sub.cursor, sub.filter
            )
            if first is not None:
                known.append([sub.subscription_id, first])
        answer = await self._wait(seq, EVENT, list(subs), args, known)
        if chaos.DIR is not None:
            chaos.before_commit(self.session_id, seq)
        if answer is None:
            return call.finish(None)
        sub = subs[str(answer["subscription_id"])]
        event_seq = int(answer["event_seq"])
        events = store.events.after(sub.destination_id, event_seq - 1, 1)
        if not events or events[0].seq != event_seq:
            raise SyscallError(f"event {event_seq} not found")
        ev = events[0]
        result = {"data": ev.data, "event_id": ev.event_id, "event_type": ev.event_type}
        return call.finish(
            result, partial(store.subscriptions.set_cursor, sub.subscription_id, ev.seq)
        )


async def first_match(
    srv: EngineContext, destination_id: str, cursor: int, flt: str
) -> int | None:
    """The seq of the first event after ``cursor`` that passes filter ``flt``."""
    from akcli.celfilter import compile_filter

    compiled = compile_filter(flt) if flt else None
    while True:
        events = srv.store.events.after(destination_id, cursor, 100)
        for ev in events:
            # in a thread: a costly filter must not block the event loop
            if compiled is None or await asyncio.to_thread(
                compiled.matches, ev.data, ev.event_type
            ):
                return ev.seq
        if len(events) < 100:
            return None
        cursor = events[-1].seq
