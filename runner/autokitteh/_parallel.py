"""Parallel activities: ``gather`` and ``parallel_map``.

Each task is one activity call, given as ``(fn, *args)``, a
``functools.partial`` or a zero-argument callable (a lambda runs as one
activity as a whole). Tasks run concurrently in threads, at most
``max_concurrency`` at a time (None: all). Results come back in argument order.

Failures: every task runs to its end (no cancellation, so a replay after a
crash sees the same set of results); then, unless ``return_exceptions=True``
(exceptions in place of results), the exception of the first failed task in
argument order is raised.

In a durable session the runner journals each task as an activity with a
sequence number given in argument order before any of them starts, so a replay
re-runs only the tasks whose result was not committed (runner/retrying.py).
Elsewhere (plain Python, non-durable sessions, inside an activity) the same
code runs on a local thread pool.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

Task = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]
# Set by the runner: runs the tasks durably and returns the outcomes
# ``[(value, exception)]``, or returns None when not in durable workflow code.
DurableGather = Callable[[list[Task], int | None], list[tuple[Any, Any]] | None]
_durable: list[DurableGather] = []


def set_durable(impl: DurableGather | None) -> None:
    """Install (None: remove) the runner's durable implementation."""
    _durable.clear()
    if impl is not None:
        _durable.append(impl)


def to_task(item: Any) -> Task:
    """``(fn, *args)``, a partial or a zero-argument callable -> a task."""
    if isinstance(item, tuple) and item and callable(item[0]):
        return item[0], tuple(item[1:]), {}
    if isinstance(item, functools.partial):
        return item.func, tuple(item.args), dict(item.keywords)
    if callable(item):
        return item, (), {}
    raise TypeError(
        f"gather: expected (fn, *args), a partial or a callable, got {item!r}"
    )


def _run_task(task: Task) -> Any:
    fn, args, kwargs = task
    value = fn(*args, **kwargs)
    if inspect.iscoroutine(value):
        value = asyncio.run(value)
    return value


def run_local(tasks: list[Task], max_concurrency: int | None) -> list[tuple[Any, Any]]:
    """Run tasks on a thread pool; ``[(value, exception)]`` in task order."""
    if not tasks:
        return []
    workers = max(1, min(len(tasks), max_concurrency or len(tasks)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ak-gather") as ex:
        futures = [
            ex.submit(contextvars.copy_context().run, _run_task, t) for t in tasks
        ]
        out: list[tuple[Any, Any]] = []
        for fut in futures:
            exc = fut.exception()
            out.append((None, exc) if exc is not None else (fut.result(), None))
    return out


def _check(max_concurrency: int | None) -> None:
    if max_concurrency is not None and (
        not isinstance(max_concurrency, int) or max_concurrency < 1
    ):
        raise ValueError(
            f"max_concurrency must be a positive int, got {max_concurrency!r}"
        )


def _run(
    tasks: list[Task], max_concurrency: int | None, return_exceptions: bool
) -> list[Any]:
    _check(max_concurrency)
    outcomes = None
    if _durable:
        outcomes = _durable[0](tasks, max_concurrency)
    if outcomes is None:
        outcomes = run_local(tasks, max_concurrency)
    results: list[Any] = []
    for value, exc in outcomes:
        if exc is not None and not return_exceptions:
            raise exc
        results.append(exc if exc is not None else value)
    return results


def gather(
    *calls: Any, max_concurrency: int | None = None, return_exceptions: bool = False
) -> list[Any]:
    """Run activity calls concurrently; their results in argument order.

    ``gather((book, "A"), (book, "B"), lambda: charge(card))``.
    """
    return _run([to_task(c) for c in calls], max_concurrency, return_exceptions)


def parallel_map(
    fn: Callable[..., Any],
    items: Iterable[Any],
    *,
    max_concurrency: int | None = None,
    return_exceptions: bool = False,
) -> list[Any]:
    """``[fn(item) for item in items]``, with the calls run concurrently."""
    return _run([(fn, (i,), {}) for i in items], max_concurrency, return_exceptions)
