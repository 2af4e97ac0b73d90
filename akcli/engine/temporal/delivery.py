"""Signals and subscribed events, committed to the ak store, delivered to the
workflows of the sessions they are for (Temporal signals ``ak_signal`` and
``ak_event``: visible in each workflow's history).

A scan of the store, not a notification: whatever was committed before a
crash is found by the first scan of the next start (the marks start at 0),
so nothing accepted is lost; a workflow drops what it was delivered before.
A session whose workflow does not exist yet gets it from its ``wait`` update
instead (the host passes what the store holds). On PostgreSQL two writers may
commit ids out of order, passing a mark: every ``RESCAN`` seconds the scan
starts from 0 again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from temporalio.client import Client

from akcli.engine.context import EngineContext
from akcli.engine.temporal.workflow import AkSession

log = logging.getLogger("ak.temporal")
BATCH = 200
RESCAN = 30.0  # seconds between two scans from the start


class Delivery:
    def __init__(self, srv: EngineContext, client: Client) -> None:
        self.srv = srv
        self.client = client
        self.signal_mark = 0  # last signal id delivered
        self.event_mark = 0  # last event seq delivered
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._filters: dict[str, Any] = {}
        self._rescan_at = 0.0

    def kick(self) -> None:
        """Something may have been committed: scan (again) soon."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="temporal delivery")
        else:
            self._again = True

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task

    async def _run(self) -> None:
        try:
            while True:
                self._again = False
                t = asyncio.get_running_loop().time()
                if t >= self._rescan_at:
                    self._rescan_at = t + RESCAN
                    self.signal_mark = self.event_mark = 0
                more = await self._signals() | await self._events()
                if not more and not self._again:
                    return
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the next kick scans again
            log.exception("delivering signals to Temporal workflows failed")

    async def _signals(self) -> bool:
        rows = self.srv.store.signals.pending_of_running(self.signal_mark, BATCH)
        for r in rows:
            if not await self._send(r.session_id, AkSession.ak_signal, [r.id, r.name]):
                return False  # Temporal away: the next kick retries from here
            self.signal_mark = r.id
        return len(rows) == BATCH

    async def _events(self) -> bool:
        rows = self.srv.store.subscriptions.events_of_running(self.event_mark, BATCH)
        for sub, ev in rows:
            if await self._matches(sub.filter, ev.data, ev.event_type):
                args = [sub.subscription_id, ev.seq]
                if not await self._send(sub.session_id, AkSession.ak_event, args):
                    return False
            self.event_mark = max(self.event_mark, ev.seq - 1)
        if not rows:
            return False
        last = rows[-1][1].seq
        full = len(rows) == BATCH
        # A full batch may have cut the last event's subscriptions: again from
        # it (unless the batch is that one event alone).
        self.event_mark = last - 1 if full and rows[0][1].seq != last else last
        return full

    async def _matches(self, flt: str, data: Any, event_type: str) -> bool:
        if not flt:
            return True
        compiled = self._filters.get(flt)
        if compiled is None:
            from akcli.celfilter import compile_filter

            compiled = self._filters[flt] = compile_filter(flt)
        # in a thread: a costly filter must not block the event loop
        return bool(await asyncio.to_thread(compiled.matches, data, event_type))

    async def _send(self, sid: str, signal: Any, args: list[Any]) -> bool:
        """Signal ``sid``'s workflow; False if Temporal could not be reached.
        A workflow not started yet (or ended) is skipped: its wait update
        reads the store."""
        from temporalio.service import RPCError, RPCStatusCode

        try:
            await self.client.get_workflow_handle(sid).signal(signal, args=args)
        except RPCError as e:
            if e.status is RPCStatusCode.NOT_FOUND:
                return True
            log.warning("session %s: signalling its workflow failed: %s", sid, e)
            return False
        return True
