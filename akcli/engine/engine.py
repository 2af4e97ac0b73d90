"""The engine: background work of a server (dispatch, schedules, sessions).

`kick()` wakes the loops after something was committed; every loop also works
from the database alone, so a restart resumes whatever was pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akcli.engine.session_runner import SessionRunner
    from akcli.server.state import Server

log = logging.getLogger("ak.engine")


def optional_module(name: str) -> Any:
    """A part of the engine that may not be built yet (None if absent)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        return None


class Engine:
    def __init__(self, srv: Server) -> None:
        self.srv = srv
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._waiters: set[asyncio.Future[None]] = set()
        self.runner: SessionRunner | None = None

    def kick(self) -> None:
        """Something new was committed: run the loops soon, wake waiters."""
        self._wake.set()
        waiters, self._waiters = self._waiters, set()
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait_change(self, timeout: float) -> None:
        """Wait for the next kick() (or the timeout): syscalls that wait use it."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            # asyncio.wait, not wait_for: on 3.11 wait_for can swallow a
            # cancellation that races the future, and shutdown then never ends.
            await asyncio.wait({fut}, timeout=timeout)
        finally:
            self._waiters.discard(fut)
            fut.cancel()

    async def start(self) -> None:
        runner_mod = optional_module("akcli.engine.session_runner")
        if runner_mod is not None:
            self.runner = runner_mod.SessionRunner(self.srv)
            assert self.runner is not None
            self.runner.recover()
        self._tasks.append(asyncio.create_task(self._main_loop(), name="engine"))
        scheduler = optional_module("akcli.engine.scheduler")
        if scheduler is not None:
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
        dispatch = optional_module("akcli.engine.dispatch")
        if dispatch is not None:
            await dispatch.dispatch_pending_async(self.srv)

    async def _sessions(self) -> None:
        """Start CREATED sessions."""
        if self.runner is not None:
            self.runner.start_created()

    async def stop_session(self, session_id: str, reason: str, force: bool) -> None:
        """Stop a session: graceful at its next activity boundary, or kill it.

        A session that has not started yet is marked STOPPED at once.
        """
        from akcli.engine.sessions_store import add_log
        from akcli.store.db import now

        db = self.srv.db
        with db.tx():
            add_log(self.srv, session_id, {"stop_request": {"reason": reason}})
            cur = db.exec(
                "UPDATE sessions SET state = 'stopped', stop_reason = ?, updated_at = ?"
                " WHERE session_id = ? AND state = 'created'",
                reason,
                now(),
                session_id,
            )
            if cur.rowcount:
                add_log(
                    self.srv, session_id, {"state": {"stopped": {"reason": reason}}}
                )
                return
        if self.runner is not None:
            await self.runner.stop(session_id, reason, force)

    async def shutdown(self) -> None:
        self._stopping = True
        self._wake.set()
        for task in self._tasks:
            task.cancel()
        if self._tasks:  # bounded: shutdown must end even if a loop misbehaves
            await asyncio.wait(self._tasks, timeout=5)
        if self.runner is not None:
            await self.runner.close()
