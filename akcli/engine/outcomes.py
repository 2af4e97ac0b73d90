"""Sync webhooks: wait for the outcomes a session sends for the triggering event.

`wait_outcomes` yields each outcome value (a dict from `http_outcome`, or any
value from `outcome`) until one says `more: False`. It raises `NoSession` when
dispatch started no session for the event (502) and `TimeoutError` when nothing
arrives in time (504).
"""

from __future__ import annotations

import json
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
    while True:
        row = srv.db.one("SELECT dispatched FROM events WHERE event_id = ?", event_id)
        if row is not None and row["dispatched"]:
            break
        if not await wait_change(srv, dispatch_deadline):
            raise TimeoutError
    if srv.db.one("SELECT 1 FROM sessions WHERE event_id = ?", event_id) is None:
        raise NoSession(event_id)
    last = 0
    while True:
        rows = srv.db.all(
            "SELECT id, value FROM outcomes WHERE event_id = ? AND id > ? ORDER BY id",
            event_id,
            last,
        )
        for r in rows:
            last = r["id"]
            value = json.loads(r["value"])
            yield value
            if not (isinstance(value, dict) and value.get("more")):
                return
        ended = srv.db.one(
            "SELECT 1 FROM sessions WHERE event_id = ? AND state NOT IN"
            " ('completed', 'error', 'stopped')",
            event_id,
        )
        if ended is None and not rows:
            # Every session ended without (more) outcomes: answer with the default.
            yield {"status_code": 200, "more": False, "default": True}
            return
        if not await wait_change(srv, deadline):
            raise TimeoutError
