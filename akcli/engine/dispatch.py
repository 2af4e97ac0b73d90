"""Dispatch: stored events -> sessions, exactly once (cli.md §6.3).

Every event is inserted with `dispatched = 0` and committed before anyone is
told about it. `dispatch_pending` then, per event and in ONE transaction,
creates the sessions of every matching trigger x ACTIVE deployment and flips
`dispatched` to 1. A crash before the commit leaves the event pending (it is
dispatched after the restart); a crash after it leaves sessions and the flag
together. So each accepted event starts its sessions exactly once.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
import uuid
from typing import Any

from akcli.engine.context import EngineContext
from akcli.ids import ALPHABET
from akcli.store.db import now

log = logging.getLogger("ak.dispatch")

ACTIVE = "DEPLOYMENT_STATE_ACTIVE"
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
    with srv.db.tx():
        srv.db.exec(
            "INSERT INTO events (event_id, destination_id, project_id, event_type,"
            " data, memo, created_at, dispatched) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            event_id,
            destination_id,
            project_id,
            event_type,
            json.dumps(data),
            json.dumps(memo or {}),
            now(),
            int(dispatched),
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


def prefilter(rows: list[sqlite3.Row]) -> FilterResults:
    """Evaluate the filters of pending (event, trigger) rows; runs in a thread."""
    out: FilterResults = {}
    for r in rows:
        data = json.loads(r["data"])
        out[(r["event_id"], r["filter"])] = evaluate_filter(
            r["filter"], data, r["event_type"]
        )
    return out


def trigger_matches(
    trigger: sqlite3.Row | dict[str, Any],
    event: dict[str, Any],
    results: FilterResults | None = None,
) -> bool:
    """Steps 1-3 of §6.3: a call, the event type, the CEL filter.

    A filter that fails (e.g. over its budget) does not match, and the error is
    kept in the event's memo as `filter_error:<trigger name>`.
    """
    if not trigger["code_path"]:
        return False
    want = trigger["event_type"]
    if want not in ("", "*") and want != event["event_type"]:
        return False
    expr = trigger["filter"]
    if not expr:
        return True
    found = (results or {}).get((event["event_id"], expr))
    if found is None:
        found = evaluate_filter(expr, event["data"], event["event_type"])
    matched, error = found
    if error:
        keys = trigger.keys()  # a sqlite3.Row's `in` tests values, not keys
        name = trigger["name"] if "name" in keys else trigger["trigger_id"]
        event.setdefault("filter_errors", {})[name] = error
        log.warning(
            "trigger %s: filter %r skipped for event %s: %s",
            trigger["trigger_id"],
            expr,
            event["event_id"],
            error,
        )
    return matched


def session_memo(trigger: sqlite3.Row, event: dict[str, Any]) -> dict[str, str]:
    return {
        "event_id": event["event_id"],
        "event_uuid": id_uuid(event["event_id"]),
        "event_type": event["event_type"],
        "event_destination_id": event["destination_id"],
        "event_destination_uuid": id_uuid(event["destination_id"]),
        "trigger_id": trigger["trigger_id"],
        "trigger_uuid": id_uuid(trigger["trigger_id"]),
        "trigger_name": trigger["name"],
        "trigger_source_type": trigger["source_type"],
        "trigger_is_sync": "true" if trigger["is_sync"] else "false",
        "project_id": trigger["project_id"],
        "project_uuid": id_uuid(trigger["project_id"]),
    }


def dispatch_event(
    srv: EngineContext, row: sqlite3.Row, results: FilterResults | None = None
) -> list[str]:
    """Create the sessions of one stored event and mark it dispatched, atomically."""
    from akcli.engine.sessions_store import create_session

    event = {
        "event_id": row["event_id"],
        "destination_id": row["destination_id"],
        "event_type": row["event_type"],
        "data": json.loads(row["data"]),
    }
    sessions: list[str] = []
    with srv.db.tx():
        # Re-check inside the write transaction: never dispatch twice.
        again = srv.db.one("SELECT dispatched FROM events WHERE seq = ?", row["seq"])
        if again is None or again["dispatched"]:
            return []
        if row["destination_id"].startswith("con_"):  # every trigger on it
            triggers = srv.db.all(
                "SELECT t.*, c.name AS connection_name FROM triggers t JOIN connections"
                " c USING (connection_id) WHERE t.connection_id = ? ORDER BY"
                " t.created_at, t.trigger_id",
                row["destination_id"],
            )
        else:
            triggers = srv.db.all(
                "SELECT * FROM triggers WHERE trigger_id = ?", row["destination_id"]
            )
        for trigger in triggers:
            if not trigger_matches(trigger, event, results):
                continue
            memo = session_memo(trigger, event)
            if trigger["connection_id"]:
                memo["connection_id"] = trigger["connection_id"]
                memo["connection_uuid"] = id_uuid(trigger["connection_id"])
                memo["connection_name"] = trigger["connection_name"]
            deployments = srv.db.all(
                "SELECT deployment_id, build_id FROM deployments"
                " WHERE project_id = ? AND state = ? ORDER BY created_at",
                trigger["project_id"],
                ACTIVE,
            )
            for dep in deployments:
                sessions.append(
                    create_session(
                        srv,
                        project_id=trigger["project_id"],
                        entry_path=trigger["code_path"],
                        entry_name=trigger["code_name"],
                        inputs=event["data"],
                        memo=memo,
                        deployment_id=dep["deployment_id"],
                        build_id=dep["build_id"],
                        event_id=event["event_id"],
                        trigger_id=trigger["trigger_id"],
                        event_type=event["event_type"],
                        is_durable=bool(trigger["is_durable"]),
                        is_sync=bool(trigger["is_sync"]),
                    )
                )
        srv.db.exec("UPDATE events SET dispatched = 1 WHERE seq = ?", row["seq"])
        if errors := event.get("filter_errors"):
            memo = json.loads(row["memo"] or "{}")
            memo.update({f"filter_error:{k}": v for k, v in errors.items()})
            srv.db.exec(
                "UPDATE events SET memo = ? WHERE seq = ?", json.dumps(memo), row["seq"]
            )
    return sessions


async def dispatch_pending_async(srv: EngineContext) -> int:
    """`dispatch_pending`, with the pending events' CEL filters evaluated in a
    worker thread first, so a costly filter never blocks the event loop."""
    import asyncio

    rows = srv.db.all(
        "SELECT e.seq, e.event_id, e.event_type, e.data, t.filter FROM events e"
        " JOIN triggers t ON t.trigger_id = e.destination_id"
        " WHERE e.dispatched = 0 AND t.filter != ''"
        " UNION ALL SELECT e.seq, e.event_id, e.event_type, e.data, t.filter"
        " FROM events e JOIN triggers t ON t.connection_id = e.destination_id"
        " WHERE e.dispatched = 0 AND t.filter != '' AND e.destination_id LIKE 'con^_%'"
        " ESCAPE '^' ORDER BY 1 LIMIT ?",
        _BATCH * 10,
    )
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
        rows = srv.db.all(
            "SELECT * FROM events WHERE dispatched = 0 AND seq > ? ORDER BY seq LIMIT ?",
            last,
            _BATCH,
        )
        if not rows:
            return done
        with srv.db.tx():
            for row in rows:
                last = row["seq"]
                try:
                    with srv.db.savepoint():
                        dispatch_event(srv, row, results)
                except Exception:  # noqa: BLE001 - one bad event must not block the rest
                    log.exception("dispatching event %s failed", row["event_id"])
                    continue
                done += 1
