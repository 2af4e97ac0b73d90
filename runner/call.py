"""``_ak_call``: which calls run as activities (runtime.md §3.1) and how.

The loader rewrites calls in durable user code into ``_ak_call(f, ...)`` /
``await _ak_acall(f, ...)``. An activity is journaled under the next ``seq``:
on replay the recorded result is returned (or exception raised) without calling
``f``; live, ``f`` runs here, its ``(value, exception)`` is pickled, sent as
``activity_done`` and committed before the workflow goes on. Arguments are never
pickled. Workflow and activity see the unpickled copy, so a live run and a replay
behave the same.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import inspect
import os
import pickle
import reprlib
import sys
import threading
import time
from typing import Any

from autokitteh import _activity

from runner import deterministic, divergence, errors_fmt
from runner.syscalls import (
    ActivityError,
    NonDeterminismError,
    Session,
    current_activity,
)

_time_sleep = time.sleep
_session: Session | None = None
_user_modules: dict[str, bool] = {}

_repr = reprlib.Repr()
_repr.maxstring = 200
_repr.maxother = 200
_repr.maxlevel = 3


def set_session(session: Session | None) -> None:
    """Attach the running session (the runner calls this once)."""
    global _session
    _session = session
    _user_modules.clear()


def safe_repr(value: Any) -> str:
    """A short repr that never raises (for activity_start display)."""
    try:
        return _repr.repr(value)
    except Exception:
        return f"<{type(value).__name__} object>"


def activity_name(fn: Any) -> str:
    """The last dotted component of ``module.qualname`` (as upstream)."""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    if not isinstance(name, str):
        name = type(fn).__name__
    return name.rsplit(".", 1)[-1]


def _module_name(fn: Any) -> str:
    owner = getattr(fn, "__self__", None)
    module = getattr(fn, "__module__", None)
    if (
        owner is not None
        and module in (None, "builtins")
        and not inspect.ismodule(owner)
    ):
        cls = owner if isinstance(owner, type) else type(owner)
        module = cls.__module__
    if not isinstance(module, str):
        module = getattr(type(fn), "__module__", "") or ""
    return module


def is_sdk(fn: Any) -> bool:
    """Functions of the SDK (and of the runner itself) run inline."""
    module = _module_name(fn)
    return module.split(".", 1)[0] in ("autokitteh", "runner")


def is_user_code(fn: Any) -> bool:
    """Whether ``fn`` was defined in a module under the code directory."""
    module = _module_name(fn)
    if not module:
        return False
    known = _user_modules.get(module)
    if known is not None:
        return known
    mod = sys.modules.get(module)
    file = getattr(mod, "__file__", None)
    code_dir = _session.code_dir if _session is not None else ""
    result = False
    if isinstance(file, str) and code_dir:
        real = os.path.realpath(file)
        result = real.startswith(code_dir.rstrip(os.sep) + os.sep)
    _user_modules[module] = result
    return result


def _marker(fn: Any) -> bool | None:
    try:
        mark = getattr(fn, _activity.ACTIVITY_ATTR, None)
    except Exception:
        return None
    return mark if isinstance(mark, bool) else None


def should_run_as_activity(fn: Any) -> bool:
    """Decide whether a call of ``fn`` is an activity (runtime.md §3.1, in order)."""
    s = _session
    if s is None or not s.durable:
        return False
    if current_activity.get() is not None or s.loading or _activity.inhibited():
        return False
    mark = _marker(fn)
    if mark is not None:
        return mark
    if is_sdk(fn) or deterministic.is_deterministic(fn):
        return False
    if _activity.is_registered_no_activity(fn):
        return False
    return not is_user_code(fn)


def _is_async(fn: Any) -> bool:
    target = fn
    while True:
        if inspect.iscoroutinefunction(target):
            return True
        wrapped = getattr(target, "__wrapped__", None)
        if wrapped is None or wrapped is target:
            return False
        target = wrapped


# -- picklability -------------------------------------------------------------


def _rebuild_exception(
    cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]
) -> BaseException:
    """Recreate an exception without calling its ``__init__``."""
    exc = cls.__new__(cls, *args)
    exc.args = args
    for key, value in state.items():
        with contextlib.suppress(Exception):
            setattr(exc, key, value)
    return exc


class _ExceptionRecipe:
    """Pickles as a call of :func:`_rebuild_exception`."""

    def __init__(self, exc: BaseException) -> None:
        self.cls = type(exc)
        self.args = tuple(a if _picklable(a) else None for a in exc.args)
        state = getattr(exc, "__dict__", {})
        self.state = {k: (v if _picklable(v) else None) for k, v in state.items()}

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_exception, (self.cls, self.args, self.state))


def _picklable(value: Any) -> bool:
    try:
        pickle.loads(pickle.dumps(value))
    except Exception:
        return False
    return True


def picklable_exception(exc: BaseException) -> Any:
    """``exc`` (its args padded as upstream's, see errors_fmt.pad_exception_args)
    or a stand-in that unpickles to the same type, or None."""
    errors_fmt.pad_exception_args(exc)
    if _picklable(exc):
        return exc
    recipe = _ExceptionRecipe(exc)
    return recipe if _picklable(recipe) else None


# -- running activities -------------------------------------------------------


def _decode(entry: dict[str, Any]) -> tuple[Any, BaseException | None]:
    try:
        value, exc = pickle.loads(base64.b64decode(entry["value"]))
    except Exception as e:
        name = entry.get("name")
        raise ActivityError(
            f"cannot unpickle the journaled result of activity {name!r}: {e!r}"
        ) from e
    return value, exc


def _replay(entry: dict[str, Any]) -> Any:
    value, exc = _decode(entry)
    if exc is not None:
        raise exc
    return value


def _start(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    s = _session
    assert s is not None
    s.check_stop()
    called = time.time()
    name = activity_name(fn)
    try:
        seq, entry = s.next_seq(name)
    except NonDeterminismError as e:
        raise e.with_args(divergence.args_hash(args, kwargs)) from None
    if entry is None:
        s.begin_activity(
            seq,
            name,
            [safe_repr(a) for a in args],
            {k: safe_repr(v) for k, v in kwargs.items()},
            site=divergence.call_site(),
            hashed=divergence.args_hash(args, kwargs),
            called=called,
        )
    return seq, name, entry


def _finish(seq: int, name: str, value: Any, exc: BaseException | None) -> Any:
    s = _session
    assert s is not None
    what = "raised an exception" if exc is not None else "returned a value"
    culprit: Any = exc if exc is not None else value
    wire_exc = None if exc is None else picklable_exception(exc)
    try:
        if exc is not None and wire_exc is None:
            pickle.dumps(exc)  # raises the pickling error for the message
        data = pickle.dumps((value, wire_exc))
        restored_value, restored_exc = pickle.loads(data)
    except Exception as e:
        if exc is None:  # upstream's two prints of an unpicklable result
            print(f"error: error processing result - {e!r}")
            print(errors_fmt.format_error(e))
        raise ActivityError(
            f"activity {name!r} {what} of type {type(culprit).__qualname__!r} "
            f"that cannot be pickled: {e!r}"
        ) from None
    s.activity_done(seq, name, base64.b64encode(data).decode(), exc is not None)
    if restored_exc is not None:
        raise restored_exc
    return restored_value


def _unfinished(seq: int) -> None:
    # No-op once activity_done carried the call spec. Otherwise the activity
    # never finishes (its result cannot be pickled, or it raised SystemExit...):
    # send its activity_start so the session log keeps its call spec.
    s = _session
    assert s is not None
    s.send_start(seq)


def _run_coroutine_in_thread(coro: Any) -> Any:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as e:
            box["exc"] = e

    thread = threading.Thread(target=target, name="ak-async-activity")
    thread.start()
    thread.join()
    if "exc" in box:
        raise box["exc"]
    return box["value"]


def run_activity(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run a sync call as one journaled activity (or replay it)."""
    seq, name, entry = _start(fn, args, kwargs)
    if entry is not None:
        return _replay(entry)
    try:
        token = current_activity.set(seq)
        value: Any = None
        error: BaseException | None = None
        try:
            value = fn(*args, **kwargs)
            if inspect.iscoroutine(value):
                value = _run_coroutine_in_thread(value)
        except Exception as e:
            error = e
        finally:
            current_activity.reset(token)
        return _finish(seq, name, value, error)
    finally:
        _unfinished(seq)


async def run_async_activity(
    fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Run an awaited call as one journaled activity (or replay it)."""
    seq, name, entry = _start(fn, args, kwargs)
    if entry is not None:
        return _replay(entry)
    try:
        token = current_activity.set(seq)
        value: Any = None
        error: BaseException | None = None
        try:
            value = fn(*args, **kwargs)
            if inspect.isawaitable(value):
                value = await value
        except Exception as e:
            error = e
        finally:
            current_activity.reset(token)
        return _finish(seq, name, value, error)
    finally:
        _unfinished(seq)


def _ak_call(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Every rewritten call in durable user code goes through here."""
    if not callable(fn):
        raise ValueError(f"{fn!r} is not callable")
    if fn is _time_sleep:
        if len(args) != 1 or kwargs:
            n = len(args) + len(kwargs)
            raise TypeError(f"time.sleep takes exactly one argument ({n} given)")
        if _session is not None and not _session.loading:
            _session.sleep(args[0])
            return None
        return fn(*args)
    if not should_run_as_activity(fn):
        return fn(*args, **kwargs)
    from runner import retrying  # retries/timeouts: one journal entry per attempt

    opts = retrying.options_for(fn)
    if opts is not None:
        if _is_async(fn):
            return retrying.run_async(fn, args, kwargs, opts)
        return retrying.run(fn, args, kwargs, opts)
    if _is_async(fn):
        return run_async_activity(fn, args, kwargs)
    return run_activity(fn, args, kwargs)


async def _ak_acall(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    """``await f(...)`` in durable user code goes through here."""
    if callable(fn) and fn is not _time_sleep and should_run_as_activity(fn):
        from runner import retrying

        opts = retrying.options_for(fn)
        if opts is not None:
            return await retrying.run_async(fn, args, kwargs, opts)
        return await run_async_activity(fn, args, kwargs)
    return await _ak_call(fn, *args, **kwargs)


for _f in (_ak_call, _ak_acall):
    setattr(_f, _activity.ACTIVITY_ATTR, False)
