"""Activity retries, timeouts and options (the plain-Python side).

``RetryPolicy`` and ``ActivityOptions`` describe how an activity is attempted.
``@autokitteh.activity(retries=..., timeout=...)`` wraps a function so that a
plain call (``python handler.py``, pytest, a non-durable session, or a call
nested in another activity) retries with real sleeps and runs each attempt
under its timeout in a daemon thread. In a durable session the runner
intercepts the call instead and journals every attempt (runner/retrying.py);
both use :func:`next_step`, so they decide alike.

Project default: the environment variables ``AK_ACTIVITY_RETRY`` (a JSON
object of ``RetryPolicy`` fields, or a number of retries) and
``AK_ACTIVITY_TIMEOUT`` (seconds) apply to every activity without explicit
options, including auto-activities (set them as project vars in the manifest).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._activity import ACTIVITY_ATTR
from .errors import ActivityTimeout, RetriesExhausted

OPTIONS_ATTR = "__ak_options__"
TARGET_ATTR = "__ak_target__"

ExcSpec = type[BaseException] | str


def _matches(exc: BaseException, specs: tuple[ExcSpec, ...]) -> bool:
    for spec in specs:
        if isinstance(spec, str):
            for cls in type(exc).__mro__:
                if spec in (cls.__name__, f"{cls.__module__}.{cls.__qualname__}"):
                    return True
        elif isinstance(exc, spec):
            return True
    return False


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how fast a failed activity is attempted again.

    Attempt ``n`` (1-based) that fails waits ``initial_interval *
    multiplier ** (n - 1)`` seconds, at most ``max_interval``, before attempt
    ``n + 1``; at most ``max_attempts`` attempts are made. An error is retried
    when it matches ``retry_on`` and not ``non_retryable`` (exception types, or
    class names such as ``"ValueError"`` / ``"mod.MyError"``).
    """

    max_attempts: int = 3
    initial_interval: float = 1.0
    multiplier: float = 2.0
    max_interval: float = 60.0
    retry_on: tuple[ExcSpec, ...] = (Exception,)
    non_retryable: tuple[ExcSpec, ...] = ()

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if self.initial_interval < 0 or self.max_interval < 0 or self.multiplier < 1:
            raise ValueError("intervals must be >= 0 and multiplier >= 1")

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based)."""
        return float(
            min(
                self.max_interval,
                self.initial_interval * self.multiplier ** (attempt - 1),
            )
        )

    def retryable(self, exc: BaseException) -> bool:
        """Whether ``exc`` may be retried (ignoring the attempt count)."""
        return _matches(exc, self.retry_on) and not _matches(exc, self.non_retryable)

    @classmethod
    def from_json(cls, obj: Any) -> RetryPolicy:
        """A policy from its JSON form: a number of retries, or an object with
        the field names above (``retries`` also accepted; type names as strings)."""
        if isinstance(obj, int) and not isinstance(obj, bool):
            return cls(max_attempts=obj + 1)
        if not isinstance(obj, dict):
            raise ValueError(f"retry policy must be an object, got {obj!r}")
        kw: dict[str, Any] = {}
        for key, value in obj.items():
            if key == "retries":
                kw["max_attempts"] = int(value) + 1
            elif key in ("retry_on", "non_retryable"):
                names = [value] if isinstance(value, str) else list(value)
                kw[key] = tuple(str(n) for n in names)
            elif key in ("max_attempts",):
                kw[key] = int(value)
            elif key in ("initial_interval", "multiplier", "max_interval"):
                kw[key] = float(value)
            else:
                raise ValueError(f"unknown retry policy field {key!r}")
        return cls(**kw)


@dataclass(frozen=True)
class ActivityOptions:
    """An activity's retry policy (None: one attempt) and per-attempt timeout."""

    policy: RetryPolicy | None = None
    timeout: float | None = None
    name: str = field(default="", compare=False)


def make_options(
    retries: int | None,
    backoff: float | None,
    retry_on: tuple[ExcSpec, ...] | type[BaseException] | None,
    timeout: float | None,
    retry: RetryPolicy | None,
) -> ActivityOptions:
    """The options of ``@activity(...)``'s keyword arguments."""
    if retry is not None and (retries is not None or backoff is not None):
        raise TypeError("pass either retry=RetryPolicy(...) or retries/backoff")
    policy = retry
    if policy is None and (retries is not None or retry_on is not None):
        kw: dict[str, Any] = {"max_attempts": (retries or 0) + 1}
        if backoff is not None:
            kw["initial_interval"] = float(backoff)
        if retry_on is not None:
            kw["retry_on"] = retry_on if isinstance(retry_on, tuple) else (retry_on,)
        policy = RetryPolicy(**kw)
    elif backoff is not None:
        raise TypeError("backoff= needs retries=")
    if timeout is not None and timeout <= 0:
        raise ValueError("timeout must be > 0 seconds")
    return ActivityOptions(policy, None if timeout is None else float(timeout))


_default: list[ActivityOptions | None] = []


def default_options() -> ActivityOptions | None:
    """The project default (env ``AK_ACTIVITY_RETRY`` / ``AK_ACTIVITY_TIMEOUT``),
    read once per process; None when neither is set."""
    if not _default:
        retry = os.environ.get("AK_ACTIVITY_RETRY", "").strip()
        timeout = os.environ.get("AK_ACTIVITY_TIMEOUT", "").strip()
        policy = RetryPolicy.from_json(json.loads(retry)) if retry else None
        seconds = float(timeout) if timeout else None
        opts = None
        if policy is not None or seconds is not None:
            opts = ActivityOptions(policy, seconds)
        _default.append(opts)
    return _default[0]


def reset_default() -> None:
    """Forget the cached project default (tests; a forked runner)."""
    _default.clear()


def next_step(
    opts: ActivityOptions, name: str, errors: list[BaseException]
) -> float | BaseException:
    """After a failed attempt (``errors[-1]``): the seconds to wait before the
    next attempt, or the exception the call raises now."""
    exc = errors[-1]
    policy = opts.policy
    if policy is None or not policy.retryable(exc):
        return exc
    if len(errors) >= policy.max_attempts:
        if policy.max_attempts == 1:
            return exc
        failed = RetriesExhausted(name, errors)
        failed.__cause__ = exc
        return failed
    return policy.delay(len(errors))


def attempt_in_thread(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    timeout: float,
    name: str,
    on_abandon: Callable[[], None] | None = None,
) -> Any:
    """Run ``fn`` in a daemon thread, waiting at most ``timeout`` seconds.

    On timeout the thread is abandoned (``on_abandon`` runs first): whatever it
    returns later is dropped, and ``ActivityTimeout`` is raised.
    """
    box: dict[str, Any] = {}
    done = threading.Event()
    ctx = contextvars.copy_context()

    def target() -> None:
        try:
            value = ctx.run(fn, *args, **kwargs)
            if inspect.iscoroutine(value):
                value = asyncio.run(value)
            box["value"] = value
        except BaseException as e:  # noqa: BLE001 - handed to the caller
            box["exc"] = e
        finally:
            done.set()

    threading.Thread(target=target, name=f"ak-activity-{name}", daemon=True).start()
    if not done.wait(timeout):
        if on_abandon is not None:
            on_abandon()
        raise ActivityTimeout(name, timeout)
    if "exc" in box:
        raise box["exc"]
    return box["value"]


def call_local(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    opts: ActivityOptions,
    name: str,
) -> Any:
    """Attempt ``fn`` per ``opts`` with real sleeps (no journal)."""
    errors: list[BaseException] = []
    while True:
        try:
            if opts.timeout is None:
                return fn(*args, **kwargs)
            return attempt_in_thread(fn, args, kwargs, opts.timeout, name)
        except Exception as e:
            errors.append(e)
            step = next_step(opts, name, errors)
            if isinstance(step, BaseException):
                if step is e:
                    raise
                raise step from e
            time.sleep(step)


async def acall_local(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    opts: ActivityOptions,
    name: str,
) -> Any:
    """:func:`call_local` for ``async def`` activities (timeout cancels)."""
    errors: list[BaseException] = []
    while True:
        try:
            coro = fn(*args, **kwargs)
            if opts.timeout is None:
                return await coro
            try:
                return await asyncio.wait_for(coro, opts.timeout)
            except TimeoutError:
                raise ActivityTimeout(name, opts.timeout) from None
        except Exception as e:
            errors.append(e)
            step = next_step(opts, name, errors)
            if isinstance(step, BaseException):
                if step is e:
                    raise
                raise step from e
            await asyncio.sleep(step)


def wrap(fn: Callable[..., Any], opts: ActivityOptions) -> Callable[..., Any]:
    """The function ``@activity(...)`` returns: marked as an activity, with
    its options and target for the runner, retrying locally when called."""
    name = getattr(fn, "__name__", type(fn).__name__)
    opts = ActivityOptions(opts.policy, opts.timeout, name)
    wrapper: Callable[..., Any]
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            return await acall_local(fn, args, kwargs, opts, name)

        wrapper = async_wrapper
    else:

        @functools.wraps(fn)
        def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
            return call_local(fn, args, kwargs, opts, name)

        wrapper = sync_wrapper
    setattr(wrapper, ACTIVITY_ATTR, True)
    setattr(wrapper, OPTIONS_ATTR, opts)
    setattr(wrapper, TARGET_ATTR, fn)
    return wrapper
