"""The Temporal workflow of one durable ak session (``engine: temporal``).

Workflow id = ak session id. Its body runs one activity, ``run_runner``: the
session's runner subprocess on whichever worker (``ak up``) picks it up. That
activity heartbeats; when its worker dies it times out and the workflow starts
it again, and the new runner replays the journal.

Every activity call the runner completes comes back as the update
``record_call`` before the runner is acknowledged: it runs an activity named
after the user function (it returns the recorded result; the call itself ran
in the runner) so the history holds each call under its name. A durable
``sleep`` is the update ``durable_sleep``: a Temporal timer.

Only temporalio and the standard library here: this module is loaded into the
workflow sandbox.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, CancelledError, TimeoutError

RUN_RUNNER = "run_runner"
EVICTED = "evicted"  # run_runner's state of a runner that exited to wait
RERUN = "rerun"  # its runner was dropped without an end: run_runner again
_ONCE = RetryPolicy(maximum_attempts=1)
_RECORD_TIMEOUT = timedelta(seconds=60)


@workflow.defn(name="AkSession")
class AkSession:
    def __init__(self) -> None:
        self.recorded: dict[int, str] = {}  # seq -> activity name
        self.wake_pending = False
        self.cancelled = False
        self.local = False

    @workflow.run
    async def run(self, session_id: str, opts: dict[str, Any]) -> dict[str, Any]:
        self.local = bool(opts.get("local_activities"))
        heartbeat = timedelta(seconds=float(opts.get("heartbeat_s", 10)))
        restarts = 0
        while True:
            try:
                outcome: dict[str, Any] = await workflow.execute_activity(
                    RUN_RUNNER,
                    args=[session_id, sorted(self.recorded)],
                    start_to_close_timeout=timedelta(days=3650),
                    heartbeat_timeout=heartbeat,
                    retry_policy=_ONCE,
                    cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
                )
            except ActivityError as e:
                if workflow.cancellation_reason() is not None:
                    # `ak session stop`: the activity stopped the session.
                    raise asyncio.CancelledError from None
                # Its worker died (no heartbeat) or shut down: run it again,
                # on whichever worker takes it; the runner replays.
                if not isinstance(e.cause, TimeoutError | CancelledError):
                    raise
                restarts += 1
                workflow.logger.info("run_runner restarts (%d): %s", restarts, e)
                await workflow.sleep(min(restarts, 5))
                continue
            if outcome.get("state") == RERUN:
                continue
            if outcome.get("state") != EVICTED:
                return outcome
            # The runner exited to wait (akcli/engine/waits.py): the engine
            # signals `wake` when the wait is over.
            await workflow.wait_condition(lambda: self.wake_pending)
            self.wake_pending = False

    @workflow.signal
    def wake(self) -> None:
        self.wake_pending = True

    @workflow.update
    async def record_call(self, seq: int, name: str, result_b64: str) -> None:
        if seq in self.recorded:  # sent again after a restart
            return
        self.recorded[seq] = name
        args = [seq, result_b64]
        if self.local:
            await workflow.execute_local_activity(
                name, args=args, start_to_close_timeout=_RECORD_TIMEOUT
            )
        else:
            await workflow.execute_activity(
                name, args=args, start_to_close_timeout=_RECORD_TIMEOUT
            )

    @workflow.update
    async def durable_sleep(self, seq: int, wake_at: float) -> None:
        delay = wake_at - workflow.now().timestamp()
        if delay > 0:
            await workflow.sleep(delay)
