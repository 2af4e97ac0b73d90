"""The engine: background work of a server (dispatch, schedules, sessions).

`kick()` wakes the loops after something was committed; every loop also works
from the database alone, so a restart resumes whatever was pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable

from akcli.engine import dispatch, scheduler
from akcli.engine.context import EngineContext, Wake
from akcli.engine.session_runner import SessionRunner
from akcli.engine.waits import is_evicted as waits_is_evicted
from akcli.errors import AkError
from akcli.store.db import now

log = logging.getLogger("ak.engine")


class Engine:
    def __init__(self, srv: EngineContext) -> None:
        self.srv = srv
        self._wake = Wake()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        srv.bell.listen(self._wake.set)
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.runner = _session_runner(srv, self.worker_id)
        self._stops_sent: set[str] = set()

    def kick(self) -> None:
        """Something new was committed: run the loops soon, wake waiters."""
        self.srv.bell.ring()

    def start_now(self) -> None:
        """Start the sessions the caller just committed (a webhook without a
        filter), in its turn: a pre-forked runner gets one before the caller
        answers, instead of after (engine loop: the next turn)."""
        if not self._tasks or self._stopping:
            return  # not started (or stopping): the engine loop starts them
        try:
            self.runner.start_created()
        except Exception:  # noqa: BLE001 - the engine loop tries again
            log.exception("starting sessions failed")

    async def connect(self) -> None:
        """Reach what the engine runs on (a Temporal server) before serving."""
        await self.runner.open()

    async def start(self) -> None:
        with self.srv.store.tx():
            self.srv.store.workers.register(
                self.worker_id, socket.gethostname(), os.getpid(), now(), time.time()
            )
        await self.runner.open()
        self.runner.recover()
        self._tasks.append(asyncio.create_task(self._worker_loop(), name="worker"))
        self._tasks.append(asyncio.create_task(self._main_loop(), name="engine"))
        self._tasks.append(
            asyncio.create_task(scheduler.run(self.srv), name="scheduler")
        )

    async def _main_loop(self) -> None:
        steps: list[Callable[[], Awaitable[None]]] = [self._dispatch, self._sessions]
        while not self._stopping:
            self._wake.clear()
            for step in steps:
                try:
                    await step()
                except Exception:  # noqa: BLE001 - a bad row must not stop the engine
                    log.exception("engine step failed")
            await self._wake.wait(1.0)

    async def _worker_loop(self) -> None:
        """Heartbeat; take over the sessions of dead workers (PostgreSQL: many
        workers); apply stop requests stored for the sessions this one runs."""
        interval = self.srv.config.get_duration("workers.heartbeat_interval") or 2.0
        multi = getattr(self.srv.db, "dialect", "sqlite") != "sqlite"
        while not self._stopping:
            try:
                with self.srv.store.tx():
                    self.srv.store.workers.heartbeat(self.worker_id, time.time())
                if multi:
                    self.runner.take_orphans()
                await self._apply_stops()
            except Exception:  # noqa: BLE001 - retried at the next beat
                log.exception("worker heartbeat failed")
            await asyncio.sleep(interval)

    async def _apply_stops(self) -> None:
        for req in self.srv.store.workers.stops_for(self.worker_id):
            sid = req.session_id
            if sid in self._stops_sent and sid in self.runner.tasks:
                continue
            # Not running here and not evicted (whose stop ends it at once):
            # wait until its runner is launched.
            here = sid in self.runner.tasks or sid in self.runner.handles
            if not here and not waits_is_evicted(self.srv, sid):
                continue
            self._stops_sent.add(sid)
            await self.runner.stop(sid, req.reason, req.force)
        self._stops_sent &= set(self.runner.tasks)

    async def _dispatch(self) -> None:
        await dispatch.dispatch_pending_async(self.srv)

    async def _sessions(self) -> None:
        """Start CREATED sessions."""
        self.runner.start_created()

    async def stop_session(self, session_id: str, reason: str, force: bool) -> None:
        """Stop a session: graceful at its next activity boundary, or kill it.

        A session that has not started yet is marked STOPPED at once.
        """
        from akcli.engine.sessions_store import add_log

        store = self.srv.store
        with store.tx():
            add_log(self.srv, session_id, {"stop_request": {"reason": reason}})
            # Kept until the session ends: its owner (this worker or another,
            # or whoever resumes it after a crash) applies it.
            store.workers.add_stop(session_id, reason, force, now())
            if store.sessions.stop_created(session_id, reason, now()):
                store.workers.delete_stop(session_id)
                add_log(
                    self.srv, session_id, {"state": {"stopped": {"reason": reason}}}
                )
                return
        self._stops_sent.add(session_id)
        await self.runner.stop(session_id, reason, force)

    async def shutdown(self) -> None:
        self._stopping = True
        self._wake.set()
        for task in self._tasks:
            task.cancel()
        if self._tasks:  # bounded: shutdown must end even if a loop misbehaves
            await asyncio.wait(self._tasks, timeout=5)
        await self.runner.close()
        # A clean exit frees its lease at once.
        with contextlib.suppress(Exception), self.srv.store.tx():
            self.srv.store.workers.remove(self.worker_id)


def _session_runner(srv: EngineContext, worker_id: str) -> SessionRunner:
    """The built-in runner, or (``engine: temporal``) the Temporal one,
    imported only then: temporalio is an optional extra."""
    name = srv.config.get("engine") or "builtin"
    if name == "builtin":
        return SessionRunner(srv, worker_id)
    if name != "temporal":
        raise AkError(f'config "engine": invalid value "{name}" (builtin, temporal)')
    try:
        from akcli.engine.temporal.runner import TemporalSessionRunner
    except ImportError as e:
        raise AkError(
            f"engine temporal needs the temporal extra (pip install 'ak[temporal]'): {e}"
        ) from None
    return TemporalSessionRunner(srv, worker_id)
