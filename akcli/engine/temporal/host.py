"""The session host of a durable session run by the Temporal engine.

As the built-in one (the ak store keeps journal, prints and logs), plus: a
completed activity call is recorded in the session's workflow (update
``record_call``) before the runner is acknowledged, and a journaled sleep
waits on a Temporal timer (update ``durable_sleep``) instead of evicting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from temporalio.client import Client, WorkflowHandle

from akcli.engine.context import EngineContext
from akcli.engine.runner_types import ActivityCall, Attempt, JournalEntry
from akcli.engine.session_host import DbSessionHost
from akcli.engine.temporal.workflow import AkSession

log = logging.getLogger("ak.temporal")


class TemporalSessionHost(DbSessionHost):
    def __init__(
        self,
        srv: EngineContext,
        session_id: str,
        client: Client,
        run_epoch: int | None = None,
    ) -> None:
        super().__init__(srv, session_id, run_epoch)
        self.workflow: WorkflowHandle[Any, Any] = client.get_workflow_handle(session_id)

    def on_activity_done(
        self,
        entry: JournalEntry,
        call: ActivityCall | None = None,
        attempt: Attempt | None = None,
    ) -> Awaitable[None] | None:
        super().on_activity_done(entry, call, attempt)  # committed to the store
        return self.record(entry.seq, entry.name, str(entry.value))

    async def record(self, seq: int, name: str, result_b64: str) -> None:
        """Record call ``seq`` in the workflow; retried while Temporal is away
        (the runner waits for its ack meanwhile)."""
        delay = 0.2
        while True:
            try:
                await self.workflow.execute_update(
                    AkSession.record_call, args=[seq, name, result_b64]
                )
                return
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - Temporal unreachable: retry
                log.warning(
                    "session %s: recording call %d in Temporal failed (%s);"
                    " retrying in %.1f s",
                    self.session_id,
                    seq,
                    e,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _after_sleep(self, seq: int, wake_at: float) -> None:
        await self.workflow.execute_update(AkSession.durable_sleep, args=[seq, wake_at])
