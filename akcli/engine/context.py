"""What the engine needs from its host, in one object: the store, ID minting,
config, secrets, paths, the clock, and the bell that wakes waiting loops.

Defined here, outside `akcli.server`, so the engine stands without the HTTP
server; `akcli.server.state.Server` extends it with what only the server has.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from akcli.config import Config
from akcli.ids import IdGen
from akcli.paths import Paths
from akcli.secrets import Cipher
from akcli.store.db import Database
from akcli.store.interface import Store
from akcli.store.open import store_for


class Bell:
    """Rung after something was committed: wakes the engine's loops and every
    syscall waiting for a change."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()
        self._listeners: list[Callable[[], None]] = []

    def listen(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` on every ring (the engine's main loop wakes this way)."""
        self._listeners.append(fn)

    def ring(self) -> None:
        for fn in self._listeners:
            fn()
        waiters, self._waiters = self._waiters, set()
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait(self, timeout: float) -> None:
        """Wait for the next ring (or the timeout)."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            # asyncio.wait, not wait_for: on 3.11 wait_for can swallow a
            # cancellation that races the future, and shutdown then never ends.
            await asyncio.wait({fut}, timeout=timeout)
        finally:
            self._waiters.discard(fut)
            fut.cancel()


class Wake:
    """A flag with a timed wait, as ``asyncio.Event`` with ``wait_for``, but
    one future and one timer per wait: ``wait_for(event.wait())`` makes a Task
    and costs an extra event-loop turn on every wake-up (a session's start)."""

    def __init__(self) -> None:
        self._is_set = False
        self._fut: asyncio.Future[None] | None = None

    def set(self) -> None:
        self._is_set = True
        fut = self._fut
        if fut is not None and not fut.done():
            fut.set_result(None)

    def clear(self) -> None:
        self._is_set = False

    async def wait(self, timeout: float) -> None:
        """Return when set (at once if it is) or after ``timeout`` seconds."""
        if self._is_set:
            return
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._fut = fut
        timer = loop.call_later(timeout, _resolve, fut)
        try:
            await fut
        finally:
            timer.cancel()
            self._fut = None


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


@dataclass(kw_only=True)
class EngineContext:
    mode: str  # dev | test | default
    config: Config
    paths: Paths
    db: Database
    ids: IdGen
    cipher: Cipher
    service_url: str
    store: Store = field(init=False)
    bell: Bell = field(default_factory=Bell)
    clock: Callable[[], float] = time.time
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.store = store_for(self.db)

    @property
    def test_mode(self) -> bool:
        return self.mode == "test"
