"""Server side of the SDK's syscalls: store, child sessions, outcomes (signals
and event subscriptions: syscall_signals.py). How a handler answers, in one
transaction with its journal entry: syscall_call.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from akcli.engine import syscall_signals as sig
from akcli.engine.runner_types import SyscallError
from akcli.engine.sessions_store import create_session
from akcli.engine.syscall_call import Call, wait_change
from akcli.engine.syscall_signals import signal_parent_on_end
from akcli.store.db import now
from runner.entrypoint import parse_entrypoint

# Callers import these from here.
__all__ = ["Call", "handle", "signal_parent_on_end", "wait_change"]


# -- store ---------------------------------------------------------------


def _store(call: Call, args: dict[str, Any]) -> Any:
    values = call.srv.store.values
    pid = call.session.project_id
    op, key = str(args.get("op", "")), str(args.get("key", ""))
    operands = args.get("operands") or []
    if op == "list":
        return call.finish(values.keys(pid))
    if not key:
        raise SyscallError("missing key")
    row = values.get(pid, key)
    current = row.value if row else None

    def put(value: Any) -> Callable[[], object]:
        return lambda: values.put(pid, key, value)

    if op == "get":
        return call.finish(current)
    if op == "set":
        return call.finish(None, put(operands[0] if operands else None))
    if op == "del":
        return call.finish(None, lambda: values.delete(pid, key))
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
        flag = op == "publish"
        return call.finish(None, lambda: values.set_published(pid, key, flag))
    raise SyscallError(f"unknown store operation {op!r}")


# -- child sessions -------------------------------------------


def _start(call: Call, args: dict[str, Any]) -> Any:
    store = call.srv.store
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
        parent.deployment_id,
        parent.build_id,
        parent.project_id,
    )
    if project:
        other = store.projects.id_by_name_or_id(project)
        if other is None:
            raise SyscallError(f'project "{project}" not found')
        dep = store.deployments.active_for_project(other)
        if dep is None:
            raise SyscallError(f'project "{project}" has no active deployment')
        project_id = other
        deployment_id, build_id = dep.deployment_id, dep.build_id
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
                is_durable=parent.is_durable,
            )
        )

    with store.tx():
        write()
        call.finish(created[0])
    return created[0]


# -- outcomes -----------------------------------------------------------------


def _outcome(call: Call, args: dict[str, Any]) -> Any:
    event_id = str(args.get("event_id") or call.session.event_id or "")
    if not event_id:
        return call.finish(None)  # a session not started by an event: nothing to answer
    value = args.get("value")
    call.finish(
        None,
        lambda: call.srv.store.outcomes.add(event_id, call.session_id, value, now()),
    )
    call.srv.bell.ring()
    return None


Handler = Callable[[Call, dict[str, Any]], Any]
HANDLERS: dict[str, Handler] = {
    "store": _store,
    "start": _start,
    "signal": sig.signal,
    "next_signal": sig.next_signal,
    "subscribe": sig.subscribe,
    "next_event": sig.next_event,
    "unsubscribe": sig.unsubscribe,
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
