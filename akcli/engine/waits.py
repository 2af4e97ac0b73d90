"""Evicted waits: a durable session that waits gives up its runner (issue 18).

A durable workflow that waits in a journaled ``sleep``, ``next_signal`` or
``next_event`` for longer than ``pythonrt.evict_after`` is evicted:

1. the server-side wait is cancelled (it consumed nothing: a signal or event
   is only taken in the transaction that journals it);
2. the wait is committed to ``session_waits`` (``evicted = 1``): the seq, the
   signal names / subscription ids and the unix time it ends (a sleep's
   wake-up, a timeout's deadline);
3. only then the runner is asked to exit (protocol ``evict``).

Nothing can be lost in between: wake-ups are found by scanning the store
(:func:`due`), not by notifications, so a signal committed at any moment of
the eviction is seen by the next scan. A session found due gets a fresh runner
(``evicted = 0``), which replays its journal and makes the same call again;
that call keeps the stored deadline (:func:`resume_args`) and deletes the row
once answered. The session's state stays RUNNING throughout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

from akcli.engine.runner_types import Evicted
from akcli.store.db import now

if TYPE_CHECKING:
    from akcli.engine.context import EngineContext
    from akcli.store.interface.sessions import SessionRow

T = TypeVar("T")
WAITING_OPS = frozenset({"next_signal", "next_event"})
SHOWN = "waiting (evicted)"  # ak session get
IN_WORKFLOW = "workflow"  # the op of a wait its Temporal workflow keeps
__all__ = ["Evicted", "WakeTimer", "evictable", "hold_sleep", "take_due"]


def evict_after(srv: EngineContext) -> float:
    """``pythonrt.evict_after`` in seconds (0: never evict)."""
    return max(0.0, srv.config.get_duration("pythonrt.evict_after"))


def _names(op: str, args: dict[str, Any]) -> list[str]:
    key = "names" if op == "next_signal" else "subscription_ids"
    value = args.get(key) or []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def store(
    srv: EngineContext,
    sid: str,
    seq: int,
    op: str,
    names: list[str],
    wake_at: float | None,
) -> None:
    """Commit the wait of ``sid`` at ``seq`` as evicted (replacing an old one)."""
    with srv.store.tx():
        srv.store.waits.put_evicted(sid, seq, op, names, wake_at, now())


def resume_args(
    srv: EngineContext, sid: str, seq: int, args: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """The args of a waiting call, with the deadline stored when it was evicted;
    True when this call was made before (resumed by replay)."""
    row = srv.store.waits.get(sid, seq)
    if row is None:
        return args, False
    if row.wake_at is not None:
        # A timeout of 0 means none: a passed deadline still checks once.
        args = {**args, "timeout": max(float(row.wake_at) - time.time(), 0.001)}
    return args, True


def clear(srv: EngineContext, sid: str, seq: int) -> None:
    """The call at ``seq`` was answered: its wait is over."""
    with srv.store.tx():
        srv.store.waits.delete(sid, seq)


async def evictable(
    srv: EngineContext,
    sid: str,
    seq: int,
    op: str,
    args: dict[str, Any],
    wait: Awaitable[T],
    in_workflow: bool = False,
) -> T:
    """Await a waiting syscall; after ``evict_after`` seconds without an answer,
    cancel it, store the wait and raise :class:`Evicted`. ``in_workflow``: the
    session's Temporal workflow keeps the wait and ends it (the row only says
    it is evicted: op ``IN_WORKFLOW``, never due in the store's scan)."""
    started = time.time()  # a timeout counts from the call, not the eviction
    task = asyncio.ensure_future(wait)
    after = evict_after(srv)
    try:
        done, _ = await asyncio.wait({task}, timeout=after or None)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if not done:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        me = asyncio.current_task()
        if me is not None and me.cancelling():
            raise asyncio.CancelledError
    if not task.cancelled():
        return task.result()  # answered (or failed) before the cancel took
    if in_workflow:
        store(srv, sid, seq, IN_WORKFLOW, [], None)
        raise Evicted
    timeout = args.get("timeout")
    deadline = started + float(timeout) if timeout else None
    store(srv, sid, seq, op, _names(op, args), deadline)
    raise Evicted


async def hold_sleep(srv: EngineContext, sid: str, seq: int, wake_at: float) -> None:
    """A journaled sleep ending after ``evict_after``: keep the runner waiting
    for that long (the reply is the end of its wait), then evict it."""
    after = evict_after(srv)
    if not after or wake_at - time.time() <= after:
        return
    await asyncio.sleep(after)
    if wake_at - time.time() <= 0.05:  # as good as over
        return
    store(srv, sid, seq, "sleep", [], wake_at)
    raise Evicted


# -- the engine's side: which evicted sessions to wake --------------------


def take_due(
    srv: EngineContext, busy: set[str], limit: int, owner: str = ""
) -> list[SessionRow]:
    """The RUNNING sessions to give a fresh runner: evicted ones whose wait is
    over (a scan of the store, so a wake-up committed at any moment is found),
    not in ``busy`` (a runner is still being evicted), at most ``limit``.
    Their rows are marked resumed (and those of ended sessions dropped)."""
    if limit <= 0:
        return []
    store = srv.store
    sids = [s for s in store.waits.due(time.time(), limit) if s not in busy]
    if not sids:
        return []
    rows = store.sessions.running_among(sids)
    with store.tx():
        # Each wake-up is claimed once: another worker may have taken it.
        sids = [s for s in sids if store.waits.mark_resumed(s)]
        running = {r.session_id for r in rows}
        for sid in sids:
            if sid not in running:  # stopped or deleted meanwhile
                store.waits.delete_for_session(sid)
            else:
                store.sessions.set_owner(sid, owner)
    claimed = set(sids)
    return [r for r in rows if r.session_id in claimed]


MIN_SCAN = 0.02  # seconds between two scans (10,000 evicted waits: ~8 ms each)


class WakeTimer:
    """Kicks the engine when the earliest timed evicted wait ends, and spaces
    the scans out (the engine passes on every kick)."""

    def __init__(self, srv: EngineContext) -> None:
        self.srv = srv
        self._handle: asyncio.TimerHandle | None = None
        self._at: float | None = None
        self._last_scan = 0.0
        self._retry: asyncio.TimerHandle | None = None

    def may_scan(self) -> bool:
        """True if a scan may run now; else one more pass is due in a moment."""
        loop = asyncio.get_running_loop()
        t = loop.time()
        if t - self._last_scan >= MIN_SCAN:
            self._last_scan = t
            return True
        if self._retry is None:
            self._retry = loop.call_at(self._last_scan + MIN_SCAN, self._retry_now)
        return False

    def _retry_now(self) -> None:
        self._retry = None
        self.srv.bell.ring()

    def close(self) -> None:
        self.arm(None)
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None

    def arm(self, at: float | None) -> None:
        if at == self._at and self._handle is not None:
            return
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._at = at
        if at is None:
            return
        delay = max(at - time.time(), 0.0) + 0.001
        self._handle = asyncio.get_running_loop().call_later(delay, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self._at = None
        self.srv.bell.ring()


def next_wake(srv: EngineContext) -> float | None:
    """The earliest unix time an evicted wait ends by itself."""
    return srv.store.waits.next_wake()


def park_sleepers(srv: EngineContext, sids: list[str]) -> set[str]:
    """At start-up: RUNNING durable sessions whose last journal entry is a
    sleep ending after ``evict_after`` are still in it (a sleep's wake-up is
    its end): store their wait instead of replaying them now."""
    after = evict_after(srv)
    parked: set[str] = set()
    if not after:
        return parked
    for sid in sids:
        row = srv.store.journal.last(sid)
        if row is None or row.name != "sleep" or row.is_error:
            continue
        try:
            wake_at = float(json.loads(row.value)["wake_at"])
        except (ValueError, KeyError, TypeError):
            continue
        if wake_at - time.time() > after:
            store(srv, sid, row.seq, "sleep", [], wake_at)
            parked.add(sid)
    return parked


def is_evicted(srv: EngineContext, sid: str) -> bool:
    """Whether ``sid`` waits with no runner."""
    return srv.store.waits.is_evicted(sid)


def evicted_ids(srv: EngineContext) -> set[str]:
    return srv.store.waits.evicted_ids()


def shown(srv: EngineContext, sid: str) -> dict[str, Any]:
    """The extra field ``ak session get`` shows for an evicted session."""
    return {"wait": SHOWN} if is_evicted(srv, sid) else {}
