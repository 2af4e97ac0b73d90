"""Durable retries, timeouts and parallel activities (the runner's side).

An activity with options (``@activity(retries=..., timeout=...)``, or the
project default ``AK_ACTIVITY_RETRY`` / ``AK_ACTIVITY_TIMEOUT`` for any
activity without its own) is journaled **one entry per attempt**, each under
its own ``seq`` and with its attempt number and error in the log records; the
wait between attempts is a journaled ``sleep`` (a durable timer). A replay
returns the recorded attempts in order (a failed one fails again without
running, the policy decides the same), waits out what is left of a recorded
timer, and runs live only the first attempt that has no entry. A journaled
success is never re-run.

Timeouts: a live attempt with a timeout runs in a daemon thread while the
workflow waits at most ``timeout`` seconds. When it expires the attempt is
journaled as failed with ``ActivityTimeout`` and its seq marked abandoned: the
thread keeps running (Python cannot kill it) but it never writes to the
journal (only the workflow side commits a result, and it has moved on), its
prints are dropped and its syscalls fail. The process ends when the session
does, thread or not. An ``async def`` attempt is cancelled instead.

Parallel (``autokitteh.gather`` / ``parallel_map``): the tasks of a round get
their seqs in argument order before any starts, run in a thread pool (each
commits its own result), and the failed retryable ones are retried together
in the next round after one durable timer (the longest backoff among them).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from autokitteh import _activity, _parallel, _retry
from autokitteh._retry import ActivityOptions
from autokitteh.errors import ActivityTimeout

from runner import call, divergence
from runner.syscalls import NonDeterminismError, Session, current_activity

MAX_ERROR = 1000  # characters of an attempt's error kept in its log record


def install() -> None:
    """Hook the SDK's ``gather``/``parallel_map`` to the durable implementation."""
    _retry.reset_default()
    _parallel.set_durable(durable_gather)


def options_for(fn: Any) -> ActivityOptions | None:
    """An activity's own options, else the project default (None: neither)."""
    try:
        opts = getattr(fn, _retry.OPTIONS_ATTR, None)
    except Exception:
        opts = None
    if isinstance(opts, ActivityOptions):
        return opts
    return _retry.default_options()


def _target(fn: Any) -> Any:
    """What an attempt calls: the function under ``@activity(...)``'s wrapper."""
    try:
        target = getattr(fn, _retry.TARGET_ATTR, None)
    except Exception:
        target = None
    if not callable(target):
        return fn
    owner = getattr(fn, "__self__", None)
    if inspect.ismethod(fn) and owner is not None:
        return target.__get__(owner)
    return target


@dataclass
class _Call:
    name: str
    target: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    opts: ActivityOptions


def _session() -> Session:
    s = call._session
    assert s is not None
    return s


def _begin(s: Session, c: _Call, attempt: int) -> tuple[int, dict[str, Any] | None]:
    s.check_stop()
    try:
        seq, entry = s.next_seq(c.name)
    except NonDeterminismError as e:
        raise e.with_args(divergence.args_hash(c.args, c.kwargs)) from None
    if entry is None:
        s.begin_activity(
            seq,
            c.name,
            [call.safe_repr(a) for a in c.args],
            {k: call.safe_repr(v) for k, v in c.kwargs.items()},
            attempt=attempt,
            site=divergence.call_site(),
            hashed=divergence.args_hash(c.args, c.kwargs),
        )
    return seq, entry


def _live(s: Session, seq: int, c: _Call) -> tuple[Any, BaseException | None]:
    """Run one attempt (under its timeout); ``(value, exception)``."""
    token = current_activity.set(seq)
    try:
        timeout = c.opts.timeout
        if timeout is None:
            value = c.target(*c.args, **c.kwargs)
            if inspect.iscoroutine(value):
                value = call._run_coroutine_in_thread(value)
        else:
            value = _retry.attempt_in_thread(
                c.target,
                c.args,
                c.kwargs,
                timeout,
                c.name,
                on_abandon=lambda: s.abandoned.add(seq),
            )
        return value, None
    except Exception as e:
        return None, e
    finally:
        current_activity.reset(token)


def _commit(
    s: Session, seq: int, c: _Call, attempt: int, value: Any, exc: BaseException | None
) -> tuple[Any, BaseException | None]:
    """Journal an attempt (waits for the ack); its restored ``(value, exc)``."""
    meta: dict[str, Any] = {"attempt": attempt}
    if exc is not None:
        meta["error"] = call.safe_repr(exc)[:MAX_ERROR]
    s.attempt_meta[seq] = meta
    try:
        return call._finish(seq, c.name, value, exc), None
    except Exception as e:  # the restored exception of a failed attempt
        return None, e
    finally:
        s.attempt_meta.pop(seq, None)
        call._unfinished(seq)


def _attempt(
    s: Session, seq: int, entry: dict[str, Any] | None, c: _Call, attempt: int
) -> tuple[Any, BaseException | None]:
    if entry is not None:
        return call._decode(entry)
    value, exc = _live(s, seq, c)
    return _commit(s, seq, c, attempt, value, exc)


def _make(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Call:
    opts = options_for(fn) or ActivityOptions()
    return _Call(call.activity_name(fn), _target(fn), args, kwargs, opts)


def _raise(step: BaseException, exc: BaseException) -> Any:
    if step is exc:
        raise exc
    raise step from exc


def run(
    fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any], opts: ActivityOptions
) -> Any:
    """A sync activity call with retries/timeout, in durable workflow context."""
    s = _session()
    c = _make(fn, args, kwargs)
    c.opts = opts
    errors: list[BaseException] = []
    while True:
        attempt = len(errors) + 1
        seq, entry = _begin(s, c, attempt)
        value, exc = _attempt(s, seq, entry, c, attempt)
        if exc is None:
            return value
        errors.append(exc)
        step = _retry.next_step(opts, c.name, errors)
        if isinstance(step, BaseException):
            return _raise(step, exc)
        s.sleep(step)  # a journaled timer: a crash here resumes with the next attempt


async def _alive(s: Session, seq: int, c: _Call) -> tuple[Any, BaseException | None]:
    token = current_activity.set(seq)
    try:
        value = c.target(*c.args, **c.kwargs)
        if inspect.isawaitable(value):
            timeout = c.opts.timeout
            if timeout is None:
                value = await value
            else:
                try:
                    value = await asyncio.wait_for(value, timeout)
                except TimeoutError:
                    s.abandoned.add(seq)
                    raise ActivityTimeout(c.name, timeout) from None
        return value, None
    except Exception as e:
        return None, e
    finally:
        current_activity.reset(token)


async def run_async(
    fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any], opts: ActivityOptions
) -> Any:
    """:func:`run` for awaited activities (the backoff wait does not block the loop)."""
    s = _session()
    c = _make(fn, args, kwargs)
    c.opts = opts
    errors: list[BaseException] = []
    while True:
        attempt = len(errors) + 1
        seq, entry = _begin(s, c, attempt)
        if entry is not None:
            value, exc = call._decode(entry)
        else:
            value, exc = await _alive(s, seq, c)
            value, exc = _commit(s, seq, c, attempt, value, exc)
        if exc is None:
            return value
        errors.append(exc)
        step = _retry.next_step(opts, c.name, errors)
        if isinstance(step, BaseException):
            return _raise(step, exc)
        reply = s.syscall("sleep", {"seconds": step})
        wake_at = float(reply["wake_at"]) if isinstance(reply, dict) else time.time()
        await asyncio.sleep(max(0.0, wake_at - time.time()))


def durable_gather(
    tasks: list[_parallel.Task], max_concurrency: int | None
) -> list[tuple[Any, Any]] | None:
    """``gather`` in durable workflow code (None elsewhere: run locally)."""
    s = call._session
    if s is None or not s.workflow_context() or s.loading or _activity.inhibited():
        return None
    calls = [_make(fn, args, kwargs) for fn, args, kwargs in tasks]
    outcomes: list[tuple[Any, Any]] = [(None, None)] * len(calls)
    errors: list[list[BaseException]] = [[] for _ in calls]
    pending = list(range(len(calls)))
    while pending:
        slots = []
        for i in pending:  # seqs in argument order, before anything runs
            seq, entry = _begin(s, calls[i], len(errors[i]) + 1)
            slots.append((i, seq, entry))
        results = _run_round(s, slots, calls, errors, max_concurrency)
        retry: list[int] = []
        wait = 0.0
        for i in pending:
            value, exc = results[i]
            if exc is None:
                outcomes[i] = (value, None)
                continue
            errors[i].append(exc)
            step = _retry.next_step(calls[i].opts, calls[i].name, errors[i])
            if isinstance(step, BaseException):
                outcomes[i] = (None, step)
            else:
                retry.append(i)
                wait = max(wait, step)
        if retry:
            s.sleep(wait)
        pending = retry
    return outcomes


def _run_round(
    s: Session,
    slots: list[tuple[int, int, dict[str, Any] | None]],
    calls: list[_Call],
    errors: list[list[BaseException]],
    max_concurrency: int | None,
) -> dict[int, tuple[Any, BaseException | None]]:
    results: dict[int, tuple[Any, BaseException | None]] = {}
    live = []
    for i, seq, entry in slots:
        if entry is not None:
            results[i] = call._decode(entry)
        else:
            live.append((i, seq))
    if not live:
        return results
    workers = min(len(live), max_concurrency or len(live))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ak-gather") as ex:
        futures = {
            i: ex.submit(_attempt, s, seq, None, calls[i], len(errors[i]) + 1)
            for i, seq in live
        }
        failure: BaseException | None = None
        for i, fut in futures.items():
            exc = fut.exception()
            if exc is not None:  # a SessionFailure (unpicklable result, ...)
                failure = failure or exc
                continue
            results[i] = fut.result()
    if failure is not None:
        raise failure
    return results
