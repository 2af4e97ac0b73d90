"""``engine: temporal``: durable sessions run as Temporal workflows.

``ak up`` connects to ``temporal.host_port`` and runs a worker on
``temporal.task_queue`` in its own event loop. A durable session that starts
(or must resume: after a restart, an eviction's wake-up) becomes workflow
``AkSession`` with the session id as workflow id (akcli/engine/temporal/
workflow.py); its ``run_runner`` activity runs the session's runner here, as
the built-in engine does, with a host that records each call in the workflow
(host.py). Non-durable sessions run on the built-in engine.

The ak store keeps the session rows, journal, prints and logs, so ``ak session
log/prints/get`` show the same records whichever engine ran a session. Signals
and subscribed events are committed there first; a scan of the store (after
each commit, and from the start after a restart) delivers each to its
session's workflow as a Temporal signal (delivery.py). A durable child
session's workflow is started by its parent's workflow (a child workflow).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.common import RawValue, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from akcli.engine import idle_start, waits
from akcli.engine.runner_types import RunOutcome
from akcli.engine.session_host import DbSessionHost
from akcli.engine.session_runner import MAX_CONCURRENT, SessionRunner
from akcli.engine.temporal.delivery import Delivery
from akcli.engine.temporal.host import TemporalSessionHost
from akcli.engine.temporal.workflow import EVICTED, RERUN, RUN_RUNNER, AkSession
from akcli.errors import AkError
from akcli.states import SessionState
from akcli.store.interface.sessions import SessionRow

log = logging.getLogger("ak.temporal")
STOPPED_BY_CANCEL = "the session's Temporal workflow was cancelled"


@activity.defn(dynamic=True)
async def recorded_call(args: Sequence[RawValue]) -> str:
    """The activity named after a user function: the call ran in the session's
    runner; this records its (base64 pickled) result in the history."""
    convert = activity.payload_converter()
    return str(convert.from_payload(args[1].payload, str))


class TemporalSessionRunner(SessionRunner):
    def __init__(self, srv: Any, worker_id: str = "") -> None:
        super().__init__(srv, worker_id)
        cfg = srv.config
        self.host_port = cfg.get("temporal.host_port")
        self.namespace = cfg.get("temporal.namespace") or "default"
        self.task_queue = cfg.get("temporal.task_queue") or "ak-sessions"
        self.max_sessions = max(1, cfg.get_int("temporal.max_sessions"))
        self.opts = {
            "local_activities": cfg.get_bool("temporal.local_activities"),
            "heartbeat_s": cfg.get_duration("temporal.heartbeat_timeout"),
            "calls_queue": f"{self.task_queue}-calls",
        }
        self._client: Client | None = None
        self._worker: Worker | None = None
        self._calls: Worker | None = None
        self._calls_task: asyncio.Task[None] | None = None
        self._worker_task: asyncio.Task[None] | None = None
        self._starts: set[asyncio.Task[None]] = set()
        self._closing = False
        self._attempt: dict[str, str] = {}  # sid -> run_runner attempt driving it
        self._epochs: dict[str, int] = {}  # sid -> run epoch of its runner here
        self._hosts: dict[str, TemporalSessionHost] = {}
        self._delivery: Delivery | None = None

    @property
    def client(self) -> Client:
        assert self._client is not None, "TemporalSessionRunner.open() first"
        return self._client

    async def open(self) -> None:
        if self._client is not None:
            return
        try:
            self._client = await Client.connect(
                self.host_port, namespace=self.namespace
            )
        except Exception as e:  # noqa: BLE001 - one line for the operator
            raise AkError(
                f"engine temporal: cannot connect to {self.host_port}"
                f" (namespace {self.namespace}): {str(e).splitlines()[0][:200]}"
            ) from None

        @activity.defn(name=RUN_RUNNER)
        async def run_runner(sid: str, recorded: list[int]) -> dict[str, Any]:
            return await self._run_runner(sid, recorded)

        self._worker = Worker(
            self._client,
            task_queue=self.task_queue,
            workflows=[AkSession],
            activities=[run_runner, recorded_call],  # recorded_call: as local
            max_concurrent_activities=min(self.max_sessions, MAX_CONCURRENT),
            # No sticky queues: a worker killed right after a workflow task
            # left the next one on its sticky queue for minutes (seen with 3
            # workers under kill -9); every task goes to the shared queue and
            # replays the (short) history instead.
            max_cached_workflows=0,
        )
        self._calls = Worker(
            self._client,
            task_queue=str(self.opts["calls_queue"]),
            activities=[recorded_call],
            max_concurrent_activities=256,
        )
        self._worker_task = asyncio.create_task(self._worker.run(), name="temporal")
        self._calls_task = asyncio.create_task(self._calls.run(), name="calls")
        self._delivery = Delivery(self.srv, self._client)

    def start_created(self) -> None:
        super().start_created()
        if self._delivery is not None:
            self._delivery.kick()  # signals / events committed meanwhile

    async def close(self) -> None:
        self._closing = True  # cancelled activities now leave sessions RUNNING
        for task in list(self._starts):
            task.cancel()
        if self._delivery is not None:
            await self._delivery.close()
        # Stop taking run_runner attempts first: one started after the code
        # dirs are gone would end its session in ERROR instead of RUNNING.
        for worker in (self._worker, self._calls):
            if worker is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(worker.shutdown(), timeout=10)
        await super().close()

    # -- durable sessions are workflows -----------------------------------

    def _launch(self, row: SessionRow) -> None:
        if not row.is_durable:
            super()._launch(row)
            return
        task = asyncio.create_task(self._start_workflow(row.session_id))
        self._starts.add(task)
        task.add_done_callback(self._starts.discard)

    async def _start_workflow(self, sid: str) -> None:
        """Start the session's workflow; one already running is woken (a wait
        is over, or the server restarted: waking a busy one is harmless).

        Retried until Temporal takes it: the session is RUNNING in the store
        and nothing else would start it (a busy dev server times RPCs out)."""
        if await self._start_as_child(sid):
            return
        delay = 0.2
        while not self._closing:
            try:
                try:
                    await self.client.start_workflow(
                        AkSession.run,
                        args=[sid, self.opts],
                        id=sid,
                        task_queue=self.task_queue,
                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    )
                except WorkflowAlreadyStartedError:
                    await self._workflow(sid).signal(AkSession.wake)
                return
            except Exception as e:  # noqa: BLE001 - the session stays RUNNING
                if isinstance(e, RPCError) and e.status is RPCStatusCode.NOT_FOUND:
                    log.info("session %s: its workflow has closed: %s", sid, e)
                    return  # nothing to wake
                log.warning("session %s: starting its workflow: %s (retrying)", sid, e)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _start_as_child(self, sid: str) -> bool:
        """A child of a running durable session: its parent's workflow starts
        it as a child workflow (update ``start_child``). False: not a child,
        or the parent's workflow cannot (it ended): start it on its own."""
        store = self.srv.store
        parent_id = store.sessions.parent_of(sid)
        parent = store.sessions.get(parent_id) if parent_id else None
        if parent is None or not parent.is_durable:
            return False
        if parent.state is not SessionState.RUNNING:
            return False
        try:
            started = await self._workflow(parent_id).execute_update(
                AkSession.start_child, args=[sid]
            )
        except Exception as e:  # noqa: BLE001 - e.g. the parent's workflow ended
            log.info("session %s: its parent's workflow cannot start it: %s", sid, e)
            return False
        if not started:  # started before (a restart): wake it
            try:
                await self._workflow(sid).signal(AkSession.wake)
            except Exception as e:  # noqa: BLE001 - it ended meanwhile
                log.info("session %s: waking its workflow: %s", sid, e)
        return True

    def _workflow(self, sid: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(sid)

    async def stop(self, sid: str, reason: str, force: bool) -> None:
        row = self.srv.store.sessions.get(sid)
        if row is None or not row.is_durable:
            await super().stop(sid, reason, force)
            return
        self.stopping[sid] = reason
        if force:
            self.forced[sid] = reason
        if sid not in self.tasks and waits.is_evicted(self.srv, sid):
            await super().stop(sid, reason, force)  # ends it STOPPED in the store
        try:
            await self._workflow(sid).cancel()
        except Exception as e:  # noqa: BLE001 - e.g. it has ended meanwhile
            log.info("session %s: cancelling its workflow: %s", sid, e)

    # -- the run_runner activity --------------------------------------------

    async def _run_runner(self, sid: str, recorded: list[int]) -> dict[str, Any]:
        """Run session ``sid``'s runner here until it ends or exits to wait."""
        row = self.srv.store.sessions.get(sid)
        if row is None:
            return {"state": "error", "error": f"session {sid} not found"}
        if row.state is not SessionState.RUNNING:  # ended before a worker died
            return _ended(row)
        if waits.is_evicted(self.srv, sid):  # its evicted wait is over
            with self.srv.store.tx():
                self.srv.store.waits.mark_resumed(sid)
        await self._record_missing(sid, set(recorded))
        task = self.tasks.get(sid)
        epoch = self._epochs.get(sid)
        if task is not None and (
            epoch is None or not self.srv.store.sessions.run_is(sid, epoch)
        ):
            # This worker's runner is stale: another ran the session since.
            await self._abandon_here(sid)
            task = None
        if task is None:
            # Fence off any older runner of this session (on a worker Temporal
            # gave up on) before this one reads the journal.
            with self.srv.store.tx():
                self._epochs[sid] = self.srv.store.sessions.new_run(sid)
            early = idle_start.start_on_idle(self, row)  # runs on at once
            task = asyncio.create_task(self._run(row, early), name=f"session {sid}")
            self.tasks[sid] = task
        # Else a new attempt on the worker of a timed-out one that does not
        # know it yet, and no other ran the session since: this one adopts the
        # runner (its journal is current), the old one must not drop it.
        me = activity.info().activity_id
        self._attempt[sid] = me
        try:
            return await self._drive(sid, task, me)
        finally:
            if self._attempt.get(sid) == me:
                del self._attempt[sid]

    async def _drive(
        self, sid: str, task: asyncio.Task[None], me: str
    ) -> dict[str, Any]:
        """Heartbeat while ``task`` runs the session; its state when it ends."""
        beat = max(0.2, float(self.opts["heartbeat_s"]) / 4)
        try:
            while not task.done():
                activity.heartbeat()
                await asyncio.wait([task], timeout=beat)
        except asyncio.CancelledError:
            if self._closing or activity.is_worker_shutdown():
                raise  # the server stops: the session resumes later
            details = activity.cancellation_details()
            if details is not None and not details.cancel_requested:
                # Not a stop: this attempt timed out (e.g. a heartbeat lost under
                # load) and the workflow runs the session elsewhere.
                if self._attempt.get(sid) == me:
                    await self._abandon_here(sid)
                raise
            await self._stop_here(sid)
            raise
        row = self.srv.store.sessions.get(sid)
        if row is None:
            return {"state": "error", "error": f"session {sid} not found"}
        host = self._hosts.pop(sid, None)
        if row.state is SessionState.RUNNING:
            if waits.is_evicted(self.srv, sid):  # woken by its signal/timer/wake
                return {"state": EVICTED, "seq": host.evicted_seq if host else None}
            # Its runner was dropped here without an end (moved, cancelled,
            # superseded): the workflow runs the activity again, which replays.
            return {"state": RERUN}
        return _ended(row)

    async def _abandon_here(self, sid: str) -> None:
        """Drop this worker's runner of ``sid``; the session stays RUNNING (its
        next run_runner attempt replays it)."""
        task = self.tasks.get(sid)
        handle = self.handles.get(sid)
        if task is not None:
            task.cancel()  # _run leaves the session RUNNING on cancellation
        if handle is not None:
            await handle.stop("its Temporal activity moved to another worker", True)
        if task is not None:  # gone from self.tasks before a new attempt looks
            await asyncio.wait([task], timeout=10)
        log.warning(
            "session %s: run_runner attempt cancelled here; it runs elsewhere", sid
        )

    async def _stop_here(self, sid: str) -> None:
        """The workflow was cancelled: stop the runner, the session ends STOPPED."""
        reason = self.stopping.get(sid) or STOPPED_BY_CANCEL
        self.stopping[sid] = reason
        force = sid in self.forced
        handle = self.handles.get(sid)
        if handle is not None:
            await handle.stop(reason, force)
        task = self.tasks.get(sid)
        if task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait([task], timeout=60)

    async def _record_missing(self, sid: str, recorded: set[int]) -> None:
        """Calls journaled in the store that the workflow does not hold (the
        server died between the commit and the update): record them now."""
        host = TemporalSessionHost(self.srv, sid, self.client)
        for r in self.srv.store.journal.for_session(sid):
            if r.kind == "pickle" and r.seq not in recorded:
                await host.record(r.seq, r.name, r.value)

    def host_for(self, row: SessionRow) -> DbSessionHost:
        if not row.is_durable:
            return super().host_for(row)
        epoch = self._epochs.get(row.session_id)
        host = TemporalSessionHost(self.srv, row.session_id, self.client, epoch)
        self._hosts[row.session_id] = host
        return host

    def _finish(self, sid: str, outcome: RunOutcome) -> None:
        """End the session, unless a newer run (another worker) holds it."""
        epoch = self._epochs.pop(sid, None)
        store = self.srv.store
        with store.tx():
            if epoch is not None and not store.sessions.run_is(sid, epoch):
                log.warning("session %s: run %d superseded, not ended here", sid, epoch)
                return
            super()._finish(sid, outcome)


def _ended(row: SessionRow) -> dict[str, Any]:
    out: dict[str, Any] = {"state": row.state.value}
    if row.error:
        out["error"] = row.error
    return out
