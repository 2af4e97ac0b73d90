"""One syscall of a session being answered (`Call`), and waiting for a change.

Each handler (akcli/engine/syscalls.py, syscall_signals.py) gets a `Call` and
must end with `call.finish(result, write)`: the writes that make the result
true (a consumed signal, an advanced subscription cursor, a new child session)
and the journal entry of a durable session commit in ONE transaction, so a
crash can neither lose an event nor deliver it twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from akcli.engine.context import EngineContext
from akcli.engine.runner_types import SyscallError
from akcli.store.interface.sessions import SessionRow

POLL = 0.5  # fallback poll while waiting; a kick() wakes waiters at once


@dataclass
class Call:
    srv: EngineContext
    session_id: str
    seq: int | None
    op: str
    journal: Callable[[int, str, Any], None]
    done: bool = False

    def finish(self, result: Any, write: Callable[[], object] | None = None) -> Any:
        with self.srv.store.tx():
            if write is not None:
                write()
            if self.seq is not None:
                self.journal(self.seq, self.op, result)
        self.done = True
        return result

    @property
    def session(self) -> SessionRow:
        row = self.srv.store.sessions.get(self.session_id)
        if row is None:
            raise SyscallError("session not found")
        return row


async def wait_change(srv: EngineContext, deadline: float | None) -> bool:
    """Sleep until something is committed (engine kick) or the deadline; False at deadline."""
    left = POLL if deadline is None else min(POLL, deadline - time.monotonic())
    if left <= 0:
        return False
    await srv.bell.wait(left)
    return True


def deadline_of(args: dict[str, Any]) -> float | None:
    timeout = args.get("timeout")
    if timeout is None or timeout == 0:
        return None
    if not isinstance(timeout, int | float) or timeout < 0:
        raise SyscallError(f"invalid timeout {timeout!r}")
    return time.monotonic() + float(timeout)
