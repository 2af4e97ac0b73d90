"""The engine: background work of a server (dispatch, schedules, sessions).

`kick()` wakes the loops after something was committed; every loop also works
from the database alone, so a restart resumes whatever was pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from akcli.engine import dispatch, scheduler
from akcli.engine.context import EngineContext
from akcli.engine.session_runner import SessionRunner
from akcli.errors import AkError

log = logging.getLogger("ak.engine")


class Engine:
    def __init__(self, srv: EngineContext) -> None:
        self.srv = srv
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        srv.bell.listen(self._wake.set)
        self.runner = _session_runner(srv)

    def kick(self) -> None:
        """Something new was committed: run the loops soon, wake waiters."""
        self.srv.bell.ring()

    async def connect(self) -> None:
        """Reach what the engine runs on (a Temporal server) before serving."""
        await self.runner.open()

    async def start(self) -> None:
        await self.runner.open()
        self.runner.recover()
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
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)

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
        from akcli.store.db import now

        store = self.srv.store
        with store.tx():
            add_log(self.srv, session_id, {"stop_request": {"reason": reason}})
            if store.sessions.stop_created(session_id, reason, now()):
                add_log(
                    self.srv, session_id, {"state": {"stopped": {"reason": reason}}}
                )
                return
        await self.runner.stop(session_id, reason, force)

    async def shutdown(self) -> None:
        self._stopping = True
        self._wake.set()
        for task in self._tasks:
            task.cancel()
        if self._tasks:  # bounded: shutdown must end even if a loop misbehaves
            await asyncio.wait(self._tasks, timeout=5)
        await self.runner.close()


def _session_runner(srv: EngineContext) -> SessionRunner:
    """The built-in runner, or (``engine: temporal``) the Temporal one,
    imported only then: temporalio is an optional extra."""
    name = srv.config.get("engine") or "builtin"
    if name == "builtin":
        return SessionRunner(srv)
    if name != "temporal":
        raise AkError(f'config "engine": invalid value "{name}" (builtin, temporal)')
    try:
        from akcli.engine.temporal.runner import TemporalSessionRunner
    except ImportError as e:
        raise AkError(
            f"engine temporal needs the temporal extra (pip install 'ak[temporal]'): {e}"
        ) from None
    return TemporalSessionRunner(srv)
