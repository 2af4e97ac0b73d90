"""Schedule triggers: cron / `@every` expressions -> `tick` events (cli.md §6.2).

`schedule_state(trigger_id, last_fire)` holds when each schedule last fired
(or was first seen). A schedule is due when its next time after `last_fire` has
passed. Each firing inserts a `tick` event with no data (destination = the
trigger) and moves `last_fire` in the same transaction, then kicks the engine;
dispatch makes the session. A tick that finds no ACTIVE deployment is skipped.

Missed ticks (the server was down): `schedules.catch_up = one` (default) fires
once at start-up for the whole missed interval; `none` fires nothing for it.
Either way, ticks then continue from the present, never replaying a backlog.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from akcli.engine.dispatch import insert_event

if TYPE_CHECKING:
    from akcli.engine.context import EngineContext

log = logging.getLogger("ak.scheduler")

SCHEDULE = "SOURCE_TYPE_SCHEDULE"
MAX_SLEEP = 1.0  # pick up new triggers and deployments within a second
MIN_PASS = 0.1  # seconds between passes woken by the engine's kicks


def _parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _fmt(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def step(srv: EngineContext, now: datetime, *, startup: bool, catch_up: str) -> float:
    """Fire every due schedule once; returns seconds until the next due time.

    `startup` marks the first pass after the server started: a due time that
    passed then was missed while the server was down (the catch-up policy).
    """
    from akcli import cronexpr

    store = srv.store
    fired = False
    wait = MAX_SLEEP
    for row in store.triggers.with_last_fire(SCHEDULE):
        trg = row.trigger
        tid = trg.trigger_id
        try:
            sched = cronexpr.parse(trg.schedule, trg.timezone)
        except ValueError as e:  # validated at create; a bad row must not stop us
            log.warning("trigger %s: %s", tid, e)
            continue
        if row.last_fire is None:
            with store.tx():  # first seen: count from now, no firing
                store.triggers.move_last_fire(tid, None, _fmt(now))
            last = now
        else:
            last = _parse_time(row.last_fire)
        due = sched.next_after(last)
        if due is None:
            continue
        if due > now:
            wait = min(wait, (due - now).total_seconds())
            continue
        fire = store.deployments.has_active(trg.project_id)
        if startup and catch_up == "none":
            fire = False
        with store.tx():
            # Compare-and-set: of several workers, one moves last_fire and fires.
            if not store.triggers.move_last_fire(tid, row.last_fire, _fmt(now)):
                fire = False
            if fire:
                insert_event(
                    srv,
                    destination_id=tid,
                    project_id=trg.project_id,
                    event_type="tick",
                    data={},
                    memo={"trigger_id": tid, "scheduled_time": _fmt(due)},
                )
                fired = True
        nxt = sched.next_after(now)
        if nxt is not None:
            wait = min(wait, (nxt - now).total_seconds())
    if fired:
        srv.bell.ring()
    return max(wait, 0.01)


async def run(srv: EngineContext) -> None:
    """The scheduler task of `ak up`: runs until cancelled."""
    catch_up = srv.config.get("schedules.catch_up").strip().lower() or "one"
    if catch_up not in ("one", "none"):
        log.warning('schedules.catch_up "%s" unknown: using "one"', catch_up)
        catch_up = "one"
    startup = True
    while True:
        try:
            wait = step(srv, datetime.now(UTC), startup=startup, catch_up=catch_up)
        except Exception:  # noqa: BLE001 - keep scheduling after a bad pass
            log.exception("scheduler pass failed")
            wait = MAX_SLEEP
        startup = False
        # Rings come with every webhook and session end: re-check schedules
        # at most every MIN_PASS seconds, not on each of them.
        started = time.monotonic()
        await srv.bell.wait(wait)
        rest = min(MIN_PASS, wait) - (time.monotonic() - started)
        if rest > 0:
            await asyncio.sleep(rest)
