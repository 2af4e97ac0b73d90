"""Sync webhooks: wait for the outcomes a session sends for the triggering event.

`wait_outcomes` yields each outcome value (a dict from `http_outcome`, or any
value from `outcome`) until one says `more: False`. It raises `NoSession` when
dispatch started no session for the event (502) and `TimeoutError` when nothing
arrives in time (504).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from akcli.engine.context import EngineContext
from akcli.engine.syscalls import wait_change

DISPATCH_WAIT = 10.0  # dispatch runs on the engine loop right after the commit


class NoSession(Exception):
    """No session was started for the sync webhook's event."""


async def wait_outcomes(
    srv: EngineContext, event_id: str, timeout: float
) -> AsyncIterator[Any]:
    deadline = time.monotonic() + timeout
    dispatch_deadline = time.monotonic() + min(DISPATCH_WAIT, timeout)
    store = srv.store
    while not store.events.dispatched_by_id(event_id):
        if not await wait_change(srv, dispatch_deadline):
            raise TimeoutError
    if not store.sessions.any_for_event(event_id):
        raise NoSession(event_id)
    last = 0
    while True:
        rows = store.outcomes.after(event_id, last)
        for r in rows:
            last = r.id
            value = r.value
            yield value
            if not (isinstance(value, dict) and value.get("more")):
                return
        live = store.sessions.live_for_event(event_id)
        if not live and not rows:
            # Every session ended without (more) outcomes: answer with the default.
            yield {"status_code": 200, "more": False, "default": True}
            return
        if not await wait_change(srv, deadline):
            raise TimeoutError
