"""Server side of the SDK's syscalls: store, child sessions, signals, events, outcomes.

Each handler gets a `Call` and must end with `call.finish(result, write)`: the
writes that make the result true (a consumed signal, an advanced subscription
cursor, a new child session) and the journal entry of a durable session commit
in ONE transaction, so a crash can neither lose an event nor deliver it twice.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from akcli.engine.context import EngineContext
from akcli.engine.runner_types import SyscallError
from akcli.engine.sessions_store import create_session
from akcli.store.db import now
from runner.entrypoint import parse_entrypoint

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
        with self.srv.db.tx():
            if write is not None:
                write()
            if self.seq is not None:
                self.journal(self.seq, self.op, result)
        self.done = True
        return result

    @property
    def session(self) -> Any:
        row = self.srv.db.one(
            "SELECT * FROM sessions WHERE session_id = ?", self.session_id
        )
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


def _deadline(args: dict[str, Any]) -> float | None:
    timeout = args.get("timeout")
    if timeout is None or timeout == 0:
        return None
    if not isinstance(timeout, int | float) or timeout < 0:
        raise SyscallError(f"invalid timeout {timeout!r}")
    return time.monotonic() + float(timeout)


# -- store ---------------------------------------------------------------


def _store(call: Call, args: dict[str, Any]) -> Any:
    db = call.srv.db
    pid = call.session["project_id"]
    op, key = str(args.get("op", "")), str(args.get("key", ""))
    operands = args.get("operands") or []
    if op == "list":
        rows = db.all(
            "SELECT key FROM store_values WHERE project_id = ? ORDER BY key", pid
        )
        return call.finish([r["key"] for r in rows])
    if not key:
        raise SyscallError("missing key")
    row = db.one(
        "SELECT value, published FROM store_values WHERE project_id = ? AND key = ?",
        pid,
        key,
    )
    current = json.loads(row["value"]) if row else None

    def put(value: Any) -> Callable[[], object]:
        return lambda: db.exec(
            "INSERT INTO store_values (project_id, key, value) VALUES (?, ?, ?)"
            " ON CONFLICT (project_id, key) DO UPDATE SET value = excluded.value",
            pid,
            key,
            json.dumps(value),
        )

    if op == "get":
        return call.finish(current)
    if op == "set":
        return call.finish(None, put(operands[0] if operands else None))
    if op == "del":
        return call.finish(
            None,
            lambda: db.exec(
                "DELETE FROM store_values WHERE project_id = ? AND key = ?", pid, key
            ),
        )
    if op == "add":
        delta = operands[0] if operands else None
        if not isinstance(delta, int | float) or isinstance(delta, bool):
            raise SyscallError(f"add: operand must be a number, got {delta!r}")
        if row is not None and (
            not isinstance(current, int | float) or isinstance(current, bool)
        ):
            raise SyscallError(f'add: value of "{key}" is not a number')
        total = (current or 0) + delta
        return call.finish(total, put(total))
    if op == "check_and_set":
        if len(operands) != 2:
            raise SyscallError("check_and_set: expected [new, expected] operands")
        new, expected = operands
        if current != expected or (row is None and expected is not None):
            return call.finish(False)
        return call.finish(True, put(new))
    if op in ("publish", "unpublish"):
        if row is None:
            raise SyscallError(f'key "{key}" not found')
        flag = int(op == "publish")
        return call.finish(
            None,
            lambda: db.exec(
                "UPDATE store_values SET published = ? WHERE project_id = ? AND key = ?",
                flag,
                pid,
                key,
            ),
        )
    raise SyscallError(f"unknown store operation {op!r}")


# -- child sessions and signals -------------------------------------------


def _start(call: Call, args: dict[str, Any]) -> Any:
    db = call.srv.db
    parent = call.session
    loc = str(args.get("loc") or "")
    try:
        path, name = parse_entrypoint(loc, need_name=True, need_py=True)
    except ValueError as e:
        raise SyscallError(str(e)) from None
    data = args.get("data") or {}
    memo = args.get("memo") or {}
    if not isinstance(data, dict) or not isinstance(memo, dict):
        raise SyscallError("data and memo must be dicts")
    project = str(args.get("project") or "")
    deployment_id, build_id, project_id = (
        parent["deployment_id"],
        parent["build_id"],
        parent["project_id"],
    )
    if project:
        prj = db.one(
            "SELECT project_id FROM projects WHERE name = ? OR project_id = ?",
            project,
            project,
        )
        if prj is None:
            raise SyscallError(f'project "{project}" not found')
        dep = db.one(
            "SELECT deployment_id, build_id FROM deployments WHERE project_id = ?"
            " AND state = 'DEPLOYMENT_STATE_ACTIVE' ORDER BY created_at DESC LIMIT 1",
            prj["project_id"],
        )
        if dep is None:
            raise SyscallError(f'project "{project}" has no active deployment')
        project_id = prj["project_id"]
        deployment_id, build_id = dep["deployment_id"], dep["build_id"]
    created: list[str] = []

    def write() -> None:
        created.append(
            create_session(
                call.srv,
                project_id=project_id,
                deployment_id=deployment_id,
                build_id=build_id,
                entry_path=path,
                entry_name=name,
                inputs=data,
                memo={str(k): str(v) for k, v in memo.items()},
                parent_session_id=call.session_id,
                is_durable=bool(parent["is_durable"]),
            )
        )

    with call.srv.db.tx():
        write()
        call.finish(created[0])
    return created[0]


def _signal(call: Call, args: dict[str, Any]) -> Any:
    target = str(args.get("session_id") or "")
    name = str(args.get("name") or "")
    if not name:
        raise SyscallError("missing signal name")
    db = call.srv.db
    if db.one("SELECT 1 FROM sessions WHERE session_id = ?", target) is None:
        raise SyscallError(f'session "{target}" not found')
    call.finish(
        None,
        lambda: db.exec(
            "INSERT INTO signals (session_id, name, payload, created_at) VALUES (?, ?, ?, ?)",
            target,
            name,
            json.dumps(args.get("payload")),
            now(),
        ),
    )
    call.srv.bell.ring()
    return None


async def _next_signal(call: Call, args: dict[str, Any]) -> Any:
    names = args.get("names") or []
    if isinstance(names, str):
        names = [names]
    if not names or not all(isinstance(n, str) for n in names):
        raise SyscallError("next_signal: names must be a non-empty list of strings")
    deadline = _deadline(args)
    db = call.srv.db
    marks = ",".join("?" * len(names))
    while True:
        row = db.one(
            f"SELECT id, name, payload FROM signals WHERE session_id = ? AND consumed = 0"
            f" AND name IN ({marks}) ORDER BY id LIMIT 1",
            call.session_id,
            *names,
        )
        if row is not None:
            result = {"name": row["name"], "payload": json.loads(row["payload"])}
            consume = partial(
                db.exec, "UPDATE signals SET consumed = 1 WHERE id = ?", row["id"]
            )
            return call.finish(result, consume)
        if not await wait_change(call.srv, deadline):
            return call.finish(None)


def signal_parent_on_end(
    srv: EngineContext, session_id: str, completed: bool, value: Any
) -> None:
    """A child's end is a signal named after it to its parent (inside the caller's tx)."""
    row = srv.db.one(
        "SELECT parent_session_id FROM sessions WHERE session_id = ?", session_id
    )
    if row is None or not row["parent_session_id"]:
        return
    payload: dict[str, Any] = {"completed": completed}
    if completed:
        payload["value"] = value
    srv.db.exec(
        "INSERT INTO signals (session_id, name, payload, created_at) VALUES (?, ?, ?, ?)",
        row["parent_session_id"],
        session_id,
        json.dumps(payload),
        now(),
    )


# -- event subscriptions ----------------------------------------------------


def _subscribe(call: Call, args: dict[str, Any]) -> Any:
    source = str(args.get("source") or "")
    flt = str(args.get("filter") or "")
    if not source:
        raise SyscallError("missing source")
    db = call.srv.db
    pid = call.session["project_id"]
    trg = db.one(
        "SELECT trigger_id, connection_id, event_type, filter FROM triggers"
        " WHERE project_id = ? AND name = ?",
        pid,
        source,
    )
    if trg is not None and trg["connection_id"]:  # a connection trigger: its events
        destination = trg["connection_id"]
        flt = _trigger_filter(trg["event_type"], trg["filter"], flt)
    elif trg is not None:
        destination = trg["trigger_id"]
    else:  # a connection is an event source by itself
        conn = db.one(
            "SELECT connection_id FROM connections WHERE project_id = ? AND name = ?",
            pid,
            source,
        )
        if conn is None:
            raise SyscallError(f'source "{source}" not found')
        destination = conn["connection_id"]
    if flt:
        from akcli.celfilter import compile_filter

        try:
            compile_filter(flt)
        except ValueError as e:
            raise SyscallError(f"invalid filter: {e}") from None
    newest = db.one("SELECT COALESCE(MAX(seq), 0) AS n FROM events")
    sub_id = call.srv.ids.new("sub")
    return call.finish(
        sub_id,
        lambda: db.exec(
            "INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?, 1)",
            sub_id,
            call.session_id,
            destination,
            flt,
            newest["n"] if newest else 0,
        ),
    )


def _trigger_filter(event_type: str, trigger_filter: str, flt: str) -> str:
    """A connection trigger's event type and filter, and the subscriber's."""
    parts = []
    if event_type and event_type != "*":
        parts.append("event_type == " + json.dumps(event_type))
    parts += [f"({f})" for f in (trigger_filter, flt) if f]
    return " && ".join(parts)


async def _next_event(call: Call, args: dict[str, Any]) -> Any:
    ids = args.get("subscription_ids") or []
    if isinstance(ids, str):
        ids = [ids]
    db = call.srv.db
    deadline = _deadline(args)
    from akcli.celfilter import compile_filter

    while True:
        for sub_id in ids:
            sub = db.one(
                "SELECT * FROM subscriptions WHERE subscription_id = ? AND session_id = ?",
                sub_id,
                call.session_id,
            )
            if sub is None or not sub["active"]:
                raise SyscallError(f'subscription "{sub_id}" not found')
            events = db.all(
                "SELECT seq, event_id, event_type, data FROM events WHERE destination_id = ?"
                " AND seq > ? ORDER BY seq LIMIT 100",
                sub["destination_id"],
                sub["cursor"],
            )
            flt = compile_filter(sub["filter"]) if sub["filter"] else None
            last = sub["cursor"]
            for ev in events:
                last = ev["seq"]
                data = json.loads(ev["data"])
                # in a thread: a costly filter must not block the event loop
                if flt is None or await asyncio.to_thread(
                    flt.matches, data, ev["event_type"]
                ):
                    result = {
                        "data": data,
                        "event_id": ev["event_id"],
                        "event_type": ev["event_type"],
                    }
                    return call.finish(result, _advance(call.srv, sub_id, last))
            if last != sub["cursor"]:  # skip non-matching events for good
                with db.tx():
                    _advance(call.srv, sub_id, last)()
        if not await wait_change(call.srv, deadline):
            return call.finish(None)


def _advance(srv: EngineContext, sub_id: str, seq: int) -> Callable[[], object]:
    return lambda: srv.db.exec(
        "UPDATE subscriptions SET cursor = ? WHERE subscription_id = ?", seq, sub_id
    )


def _unsubscribe(call: Call, args: dict[str, Any]) -> Any:
    sub_id = str(args.get("subscription_id") or "")
    return call.finish(
        None,
        lambda: call.srv.db.exec(
            "UPDATE subscriptions SET active = 0 WHERE subscription_id = ? AND session_id = ?",
            sub_id,
            call.session_id,
        ),
    )


# -- outcomes -----------------------------------------------------------------


def _outcome(call: Call, args: dict[str, Any]) -> Any:
    event_id = str(args.get("event_id") or call.session["event_id"] or "")
    if not event_id:
        return call.finish(None)  # a session not started by an event: nothing to answer
    call.finish(
        None,
        lambda: call.srv.db.exec(
            "INSERT INTO outcomes (event_id, session_id, value, created_at) VALUES (?, ?, ?, ?)",
            event_id,
            call.session_id,
            json.dumps(args.get("value")),
            now(),
        ),
    )
    call.srv.bell.ring()
    return None


Handler = Callable[[Call, dict[str, Any]], Any]
HANDLERS: dict[str, Handler] = {
    "store": _store,
    "start": _start,
    "signal": _signal,
    "next_signal": _next_signal,
    "subscribe": _subscribe,
    "next_event": _next_event,
    "unsubscribe": _unsubscribe,
    "outcome": _outcome,
}


async def handle(call: Call, args: dict[str, Any]) -> Any:
    handler = HANDLERS.get(call.op)
    if handler is None:
        raise SyscallError(f"unknown syscall {call.op!r}")
    result = handler(call, args)
    if isinstance(result, Awaitable):
        result = await result
    if not call.done:
        call.finish(result)
    return result
