"""Dispatch: stored events -> sessions, exactly once (cli.md §6.3).

Every event is inserted with `dispatched = 0` and committed before anyone is
told about it. `dispatch_pending` then, per event and in ONE transaction,
creates the sessions of every matching trigger x ACTIVE deployment and flips
`dispatched` to 1 (a webhook whose trigger has no filter does it right in the
transaction that stores the event: `dispatch_now`). A crash before the commit leaves the event pending (it is
dispatched after the restart); a crash after it leaves sessions and the flag
together. So each accepted event starts its sessions exactly once.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from typing import Any

from akcli.engine.context import EngineContext
from akcli.ids import ALPHABET
from akcli.store.db import now
from akcli.store.interface.events import EventRow, PendingFilterRow
from akcli.store.interface.triggers import TriggerRow

log = logging.getLogger("ak.dispatch")

_BATCH = 100


@functools.lru_cache(maxsize=4096)  # the same trigger/project IDs, event after event
def id_uuid(typeid: str) -> str:
    """The UUID behind a TypeID (`trg_…` -> `0190…-…`), as upstream's *_uuid memos."""
    suffix = typeid.rpartition("_")[2]
    n = 0
    for ch in suffix:
        n = (n << 5) | ALPHABET.index(ch)
    return str(uuid.UUID(int=n & ((1 << 128) - 1)))


def insert_event(
    srv: EngineContext,
    *,
    destination_id: str,
    project_id: str,
    event_type: str,
    data: dict[str, Any],
    memo: dict[str, str] | None = None,
    dispatched: bool = False,
) -> str:
    """Store (and commit) one event; returns its ID. The caller kicks the engine."""
    event_id = srv.ids.new("evt")
    with srv.store.tx():
        srv.store.events.add(
            event_id=event_id,
            destination_id=destination_id,
            project_id=project_id,
            event_type=event_type,
            data=data,
            memo=memo or {},
            created_at=now(),
            dispatched=dispatched,
        )
    return event_id


FilterResults = dict[tuple[str, str], tuple[bool, str | None]]


def evaluate_filter(expr: str, data: Any, event_type: str) -> tuple[bool, str | None]:
    """(matched, error) of one trigger filter on one event, within its budget."""
    from akcli.celfilter import compile_filter

    try:
        return compile_filter(expr).evaluate(data, event_type)
    except ValueError as e:
        return False, str(e)


def prefilter(rows: list[PendingFilterRow]) -> FilterResults:
    """Evaluate the filters of pending (event, trigger) rows; runs in a thread."""
    out: FilterResults = {}
    for r in rows:
        data = json.loads(r.data_json)
        out[(r.event_id, r.filter)] = evaluate_filter(r.filter, data, r.event_type)
    return out


def trigger_matches(
    trigger: TriggerRow,
    event: dict[str, Any],
    results: FilterResults | None = None,
) -> bool:
    """Steps 1-3 of §6.3: a call, the event type, the CEL filter.

    A filter that fails (e.g. over its budget) does not match, and the error is
    kept in the event's memo as `filter_error:<trigger name>`.
    """
    if not trigger.code_path:
        return False
    want = trigger.event_type
    if want not in ("", "*") and want != event["event_type"]:
        return False
    expr = trigger.filter
    if not expr:
        return True
    found = (results or {}).get((event["event_id"], expr))
    if found is None:
        found = evaluate_filter(expr, event["data"], event["event_type"])
    matched, error = found
    if error:
        event.setdefault("filter_errors", {})[trigger.name] = error
        log.warning(
            "trigger %s: filter %r skipped for event %s: %s",
            trigger.trigger_id,
            expr,
            event["event_id"],
            error,
        )
    return matched


def session_memo(trigger: TriggerRow, event: dict[str, Any]) -> dict[str, str]:
    return {
        "event_id": event["event_id"],
        "event_uuid": id_uuid(event["event_id"]),
        "event_type": event["event_type"],
        "event_destination_id": event["destination_id"],
        "event_destination_uuid": id_uuid(event["destination_id"]),
        "trigger_id": trigger.trigger_id,
        "trigger_uuid": id_uuid(trigger.trigger_id),
        "trigger_name": trigger.name,
        "trigger_source_type": trigger.source_type,
        "trigger_is_sync": "true" if trigger.is_sync else "false",
        "project_id": trigger.project_id,
        "project_uuid": id_uuid(trigger.project_id),
    }


def dispatch_event(
    srv: EngineContext, row: EventRow, results: FilterResults | None = None
) -> list[str]:
    """Create the sessions of one stored event and mark it dispatched, atomically."""
    from akcli.engine.sessions_store import create_session

    event = {
        "event_id": row.event_id,
        "destination_id": row.destination_id,
        "event_type": row.event_type,
        "data": row.data,
    }
    store = srv.store
    sessions: list[str] = []
    with store.tx():
        # Claimed inside the write transaction: of several workers (or two
        # passes of one), only the one whose UPDATE flips the flag dispatches.
        if not store.events.claim(row.seq):
            return []
        triggers: list[tuple[TriggerRow, str]]
        if row.destination_id.startswith("con_"):  # every trigger on it
            triggers = [
                (t.trigger, t.connection_name)
                for t in store.triggers.on_connection(row.destination_id)
            ]
        else:
            one = store.triggers.get(row.destination_id)
            triggers = [] if one is None else [(one, "")]
        for trigger, connection_name in triggers:
            if not trigger_matches(trigger, event, results):
                continue
            memo = session_memo(trigger, event)
            if trigger.connection_id:
                memo["connection_id"] = trigger.connection_id
                memo["connection_uuid"] = id_uuid(trigger.connection_id)
                memo["connection_name"] = connection_name
            for dep in store.deployments.active(trigger.project_id):
                sessions.append(
                    create_session(
                        srv,
                        project_id=trigger.project_id,
                        entry_path=trigger.code_path,
                        entry_name=trigger.code_name,
                        inputs=event["data"],
                        memo=memo,
                        deployment_id=dep.deployment_id,
                        build_id=dep.build_id,
                        event_id=event["event_id"],
                        trigger_id=trigger.trigger_id,
                        event_type=event["event_type"],
                        is_durable=trigger.is_durable,
                        is_sync=trigger.is_sync,
                    )
                )
        memo_out = None
        if errors := event.get("filter_errors"):
            memo_out = dict(row.memo or {})
            memo_out.update({f"filter_error:{k}": v for k, v in errors.items()})
        if memo_out is not None:
            store.events.mark_dispatched(row.seq, memo_out)
    return sessions


def dispatch_now(srv: EngineContext, event_id: str) -> None:
    """Inside the transaction that stored event ``event_id``: create its
    sessions in the same commit (a webhook's event, whose trigger has no CEL
    filter to run off the event loop). The engine loop's pass would do the
    same a loop turn and two transactions later, on the request's critical
    path. If it fails, nothing of it stays and the event is left pending for
    the engine loop, as any event."""
    row = srv.store.events.get(event_id)
    if row is None:
        return
    try:
        with srv.store.savepoint():
            dispatch_event(srv, row)
    except Exception:  # noqa: BLE001 - the engine loop retries the pending event
        log.exception("dispatching event %s failed; left pending", event_id)


async def dispatch_pending_async(srv: EngineContext) -> int:
    """`dispatch_pending`, with the pending events' CEL filters evaluated in a
    worker thread first, so a costly filter never blocks the event loop."""
    import asyncio

    rows = srv.store.events.pending_filters(_BATCH * 10)
    results = await asyncio.to_thread(prefilter, rows) if rows else {}
    return dispatch_pending(srv, results)


def dispatch_pending(srv: EngineContext, results: FilterResults | None = None) -> int:
    """Dispatch every pending event, oldest first; returns how many were handled.

    A batch commits once; each event is a savepoint in it, so one that fails
    is undone alone and stays pending while the others are dispatched.
    """
    done = 0
    last = 0
    while True:
        rows = srv.store.events.pending(last, _BATCH)
        if not rows:
            return done
        with srv.store.tx():
            for row in rows:
                last = row.seq
                try:
                    with srv.store.savepoint():
                        dispatch_event(srv, row, results)
                except Exception:  # noqa: BLE001 - one bad event must not block the rest
                    log.exception("dispatching event %s failed", row.event_id)
                    continue
                done += 1
