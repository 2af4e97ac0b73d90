"""Activity markers: ``@activity``, ``inhibit_activities``, ``register_no_activity``.

These only set markers; the runner's ``_ak_call`` reads them (durable sessions).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])

ACTIVITY_ATTR = "__ak_activity__"
INHIBIT_ATTR = "__ak_inhibit_activities__"

# Things registered with register_no_activity. Identity-based so that
# unhashable callables work too.
_no_activity: dict[int, Any] = {}
# Bound methods are re-created on every attribute access: keyed by
# (id(instance), method name), keeping the instance alive.
_no_activity_bound: dict[tuple[int, str], Any] = {}
_inhibit_depth = 0


@overload
def activity(fn: F, /) -> F: ...
@overload
def activity(
    fn: None = None,
    /,
    *,
    retries: int | None = None,
    backoff: float | None = None,
    retry_on: tuple[Any, ...] | type[BaseException] | None = None,
    timeout: float | None = None,
    retry: Any = None,
) -> Callable[[F], F]: ...
def activity(
    fn: F | None = None,
    /,
    *,
    retries: int | None = None,
    backoff: float | None = None,
    retry_on: tuple[Any, ...] | type[BaseException] | None = None,
    timeout: float | None = None,
    retry: Any = None,
) -> F | Callable[[F], F]:
    """Decorator: always run ``fn`` as one activity (its inner calls run inline).

    Use it for code whose intermediate values cannot be pickled. Works on
    ``async def`` functions. No effect in non-durable sessions.

    With arguments (``@activity(retries=3, backoff=0.5, retry_on=(IOError,),
    timeout=10)`` or ``@activity(retry=RetryPolicy(...))``) failed attempts are
    retried and each attempt is limited in time, durably in durable sessions
    and with real sleeps elsewhere (see ``autokitteh._retry``).
    """
    if fn is not None:  # bare @activity: upstream's marker, fn unchanged
        setattr(fn, ACTIVITY_ATTR, True)
        return fn
    if retries is None and retry_on is None and timeout is None and retry is None:
        if backoff is not None:
            raise TypeError("backoff= needs retries=")

        def mark(f: F) -> F:
            setattr(f, ACTIVITY_ATTR, True)
            return f

        return mark
    from . import _retry

    opts = _retry.make_options(retries, backoff, retry_on, timeout, retry)

    def decorate(f: F) -> F:
        return _retry.wrap(f, opts)  # type: ignore[return-value]

    return decorate


def register_no_activity(items: Iterable[Any]) -> None:
    """Run these functions, bound methods or classes inline, never as activities."""
    for item in items:
        owner = getattr(item, "__self__", None)
        name = getattr(item, "__name__", None)
        if owner is not None and not inspect.ismodule(owner) and name:
            _no_activity_bound[(id(owner), name)] = owner
        else:
            _no_activity[id(item)] = item


def is_registered_no_activity(fn: Any) -> bool:
    """Whether ``fn`` (or its function, or its class) was registered."""
    if id(fn) in _no_activity:
        return True
    func = getattr(fn, "__func__", None)
    if func is not None and id(func) in _no_activity:
        return True
    owner = getattr(fn, "__self__", None)
    if owner is not None and (id(owner), getattr(fn, "__name__", "")) in (
        _no_activity_bound
    ):
        return True
    if owner is not None:
        cls = owner if isinstance(owner, type) else type(owner)
        if any(id(c) in _no_activity for c in cls.__mro__):
            return True
    qualname = getattr(fn, "__qualname__", "")
    if isinstance(fn, type):
        return any(id(c) in _no_activity for c in fn.__mro__)
    if "." in qualname and func is None:
        # A plain function accessed through its class (Class.method).
        module = inspect.getmodule(fn)
        obj: Any = module
        for part in qualname.split(".")[:-1]:
            obj = getattr(obj, part, None)
            if obj is None:
                return False
        return isinstance(obj, type) and id(obj) in _no_activity
    return False


def inhibited() -> bool:
    """Whether we are inside ``inhibit_activities``."""
    return _inhibit_depth > 0


@contextlib.contextmanager
def _inhibit() -> Iterator[None]:
    global _inhibit_depth
    _inhibit_depth += 1
    try:
        yield
    finally:
        _inhibit_depth -= 1


@overload
def inhibit_activities(fn: F) -> F: ...
@overload
def inhibit_activities(fn: None = None) -> contextlib.AbstractContextManager[None]: ...
def inhibit_activities(
    fn: F | None = None,
) -> F | contextlib.AbstractContextManager[None]:
    """Run calls inline, never as activities (decorator or context manager).

    Use as ``@inhibit_activities`` or ``with inhibit_activities():``.

    Inhibited code is not journaled: it re-runs on replay. Nesting is counted.
    """
    if fn is None:
        return _inhibit()

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            with _inhibit():
                return await fn(*args, **kwargs)

        setattr(async_wrapper, INHIBIT_ATTR, True)
        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _inhibit():
            return fn(*args, **kwargs)

    setattr(wrapper, INHIBIT_ATTR, True)
    return wrapper  # type: ignore[return-value]
