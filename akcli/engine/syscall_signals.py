"""Syscalls between sessions and to event sources: signals (and a child's end
signalled to its parent), event subscriptions and their ``next_event``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from functools import partial
from typing import Any

from akcli.engine.context import EngineContext
from akcli.engine.runner_types import SyscallError
from akcli.engine.syscall_call import Call, deadline_of, wait_change
from akcli.store.db import now

# -- signals ------------------------------------------------------------------


def signal(call: Call, args: dict[str, Any]) -> Any:
    target = str(args.get("session_id") or "")
    name = str(args.get("name") or "")
    if not name:
        raise SyscallError("missing signal name")
    store = call.srv.store
    if not store.sessions.exists(target):  # no row parsed: signal() latency
        raise SyscallError(f'session "{target}" not found')
    payload = args.get("payload")
    call.finish(None, lambda: store.signals.add(target, name, payload, now()))
    call.srv.bell.ring()
    return None


async def next_signal(call: Call, args: dict[str, Any]) -> Any:
    names = args.get("names") or []
    if isinstance(names, str):
        names = [names]
    if not names or not all(isinstance(n, str) for n in names):
        raise SyscallError("next_signal: names must be a non-empty list of strings")
    deadline = deadline_of(args)
    signals = call.srv.store.signals
    while True:
        row = signals.next_pending(call.session_id, names)
        if row is not None:
            result = {"name": row.name, "payload": row.payload}
            return call.finish(result, partial(signals.consume, row.id))
        if not await wait_change(call.srv, deadline):
            return call.finish(None)


def signal_parent_on_end(
    srv: EngineContext, session_id: str, completed: bool, value: Any
) -> None:
    """A child's end is a signal named after it to its parent (inside the caller's tx)."""
    parent = srv.store.sessions.parent_of(session_id)  # one column: on every end
    if not parent:
        return
    payload: dict[str, Any] = {"completed": completed}
    if completed:
        payload["value"] = value
    srv.store.signals.add(parent, session_id, payload, now())


# -- event subscriptions ----------------------------------------------------


def subscribe(call: Call, args: dict[str, Any]) -> Any:
    source = str(args.get("source") or "")
    flt = str(args.get("filter") or "")
    if not source:
        raise SyscallError("missing source")
    store = call.srv.store
    pid = call.session.project_id
    trg = store.triggers.by_name(pid, source)
    if trg is not None and trg.connection_id:  # a connection trigger: its events
        destination = trg.connection_id
        flt = _trigger_filter(trg.event_type, trg.filter, flt)
    elif trg is not None:
        destination = trg.trigger_id
    else:  # a connection is an event source by itself
        conn = store.connections.by_name(pid, source)
        if conn is None:
            raise SyscallError(f'source "{source}" not found')
        destination = conn.connection_id
    if flt:
        from akcli.celfilter import compile_filter

        try:
            compile_filter(flt)
        except ValueError as e:
            raise SyscallError(f"invalid filter: {e}") from None
    newest = store.events.max_seq()
    sub_id = call.srv.ids.new("sub")
    return call.finish(
        sub_id,
        lambda: store.subscriptions.add(
            sub_id, call.session_id, destination, flt, newest
        ),
    )


def _trigger_filter(event_type: str, trigger_filter: str, flt: str) -> str:
    """A connection trigger's event type and filter, and the subscriber's."""
    parts = []
    if event_type and event_type != "*":
        parts.append("event_type == " + json.dumps(event_type))
    parts += [f"({f})" for f in (trigger_filter, flt) if f]
    return " && ".join(parts)


async def next_event(call: Call, args: dict[str, Any]) -> Any:
    ids = args.get("subscription_ids") or []
    if isinstance(ids, str):
        ids = [ids]
    store = call.srv.store
    deadline = deadline_of(args)
    from akcli.celfilter import compile_filter

    while True:
        for sub_id in ids:
            sub = store.subscriptions.get(sub_id, call.session_id)
            if sub is None or not sub.active:
                raise SyscallError(f'subscription "{sub_id}" not found')
            events = store.events.after(sub.destination_id, sub.cursor, 100)
            flt = compile_filter(sub.filter) if sub.filter else None
            last = sub.cursor
            for ev in events:
                last = ev.seq
                # in a thread: a costly filter must not block the event loop
                if flt is None or await asyncio.to_thread(
                    flt.matches, ev.data, ev.event_type
                ):
                    result = {
                        "data": ev.data,
                        "event_id": ev.event_id,
                        "event_type": ev.event_type,
                    }
                    return call.finish(result, _advance(call.srv, sub_id, last))
            if last != sub.cursor:  # skip non-matching events for good
                with store.tx():
                    _advance(call.srv, sub_id, last)()
        if not await wait_change(call.srv, deadline):
            return call.finish(None)


def _advance(srv: EngineContext, sub_id: str, seq: int) -> Callable[[], object]:
    return lambda: srv.store.subscriptions.set_cursor(sub_id, seq)


def unsubscribe(call: Call, args: dict[str, Any]) -> Any:
    sub_id = str(args.get("subscription_id") or "")
    return call.finish(
        None,
        lambda: call.srv.store.subscriptions.deactivate(sub_id, call.session_id),
    )
