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

Signals and subscribed events committed to the ak store for the session come
in as the Temporal signals ``ak_signal`` / ``ak_event``; ``next_signal`` /
``next_event`` are the update ``wait``, which waits for one (its timeout is a
Temporal timer) and answers which one the runner consumes. When the runner was
evicted during such a wait, the workflow itself waits for that answer and
then runs ``run_runner`` again. A durable child session (``autokitteh.start``)
is started by the update ``start_child`` as a child workflow, abandoned when
the parent closes (a child session outlives its parent).

Only temporalio, the standard library and waits_state.py here: this module
is loaded into the workflow sandbox.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import (
    ActivityError,
    CancelledError,
    WorkflowAlreadyStartedError,
)
from temporalio.exceptions import (
    TimeoutError as TemporalTimeout,
)

from akcli.engine.temporal.waits_state import Wait, WaitsState

RUN_RUNNER = "run_runner"
EVICTED = "evicted"  # run_runner's state of a runner that exited to wait
RERUN = "rerun"  # its runner was dropped without an end: run_runner again
_ONCE = RetryPolicy(maximum_attempts=1)
# A recorded call does nothing (its result is known): a short timeout moves it
# off a worker that took it and stalled (paused, killed) to another one.
_RECORD_TIMEOUT = timedelta(seconds=5)


@workflow.defn(name="AkSession")
class AkSession:
    def __init__(self) -> None:
        self.recorded: dict[int, str] = {}  # seq -> activity name
        self.wake_pending = False
        self.cancelled = False
        self.local = False
        self.w = WaitsState()
        self.children: set[str] = set()
        self.opts: dict[str, Any] = {}

    @workflow.run
    async def run(self, session_id: str, opts: dict[str, Any]) -> dict[str, Any]:
        self.local = bool(opts.get("local_activities"))
        self.opts = opts
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
                if not isinstance(e.cause, TemporalTimeout | CancelledError):
                    raise
                restarts += 1
                workflow.logger.info("run_runner restarts (%d): %s", restarts, e)
                await workflow.sleep(min(restarts, 5))
                continue
            if outcome.get("state") == RERUN:
                continue
            if outcome.get("state") != EVICTED:
                return outcome
            # The runner exited to wait: a wait of this workflow ends by
            # itself (a signal, an event, its timer); another (evicted before
            # it reached the workflow) when the engine signals `wake`.
            seq = outcome.get("seq")
            if isinstance(seq, int) and seq in self.w.waits:
                await self._answer(seq)
            else:
                await workflow.wait_condition(lambda: self.wake_pending)
            self.wake_pending = False

    @workflow.signal
    def wake(self) -> None:
        self.wake_pending = True

    @workflow.signal
    def ak_signal(self, signal_id: int, name: str) -> None:
        """Signal ``signal_id`` (its value is in the ak store) was sent to the session."""
        self.w.add_signal(signal_id, name)

    @workflow.signal
    def ak_event(self, subscription_id: str, event_seq: int) -> None:
        """Event ``event_seq`` matches the session's subscription."""
        self.w.add_event(subscription_id, event_seq)

    # A wait or sleep cut by a stop (cancel) needs no answer: its runner is
    # gone (and an evicted runner's wait had no client left anyway).
    @workflow.update(unfinished_policy=workflow.HandlerUnfinishedPolicy.ABANDON)
    async def wait(
        self,
        seq: int,
        kind: str,
        names: list[str],
        timeout: float,
        known: list[list[Any]],
    ) -> Any:
        """The answer of ``next_signal`` / ``next_event`` call ``seq``: a signal
        id, an event seq, or None at the timeout (0: none). ``known``: what the
        store already holds for it (delivered again: duplicates are dropped)."""
        for item in known:
            if kind == "signal":
                self.w.add_signal(int(item[0]), str(item[1]))
            else:
                self.w.add_event(str(item[0]), int(item[1]))
        if seq not in self.w.waits:  # a replayed call keeps its first deadline
            deadline = workflow.now().timestamp() + timeout if timeout > 0 else None
            self.w.waits[seq] = Wait(kind, list(names), deadline)
        return await self._answer(seq)

    async def _answer(self, seq: int) -> Any:
        w = self.w.waits[seq]
        while seq not in self.w.answers:
            left = None
            if w.deadline is not None:
                left = w.deadline - workflow.now().timestamp()
                if left <= 0:
                    self.w.answers[seq] = None
                    break
            try:
                await workflow.wait_condition(
                    lambda: seq in self.w.answers or self.w.match(w) is not None,
                    timeout=left,
                )
            except TimeoutError:
                self.w.answers.setdefault(seq, None)
                break
            if seq not in self.w.answers:
                self.w.take(seq, w)  # (False: another wait took it first)
        return self.w.answers[seq]

    @workflow.update
    async def start_child(self, child_id: str) -> bool:
        """Start durable child session ``child_id`` as a child workflow; False
        if it was started before."""
        if child_id in self.children:
            return False
        self.children.add(child_id)
        try:
            await workflow.start_child_workflow(
                "AkSession",
                args=[child_id, self.opts],
                id=child_id,
                task_queue=workflow.info().task_queue,
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            return False
        return True

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
            # On their own queue: run_runner activities filling a worker's
            # slots must not keep the calls they wait for from running.
            queue = self.opts.get("calls_queue") or None
            await workflow.execute_activity(
                name,
                args=args,
                start_to_close_timeout=_RECORD_TIMEOUT,
                task_queue=queue,
            )

    @workflow.update(unfinished_policy=workflow.HandlerUnfinishedPolicy.ABANDON)
    async def durable_sleep(self, seq: int, wake_at: float) -> None:
        delay = wake_at - workflow.now().timestamp()
        if delay > 0:
            await workflow.sleep(delay)
