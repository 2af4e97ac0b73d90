"""The SDK's retries, timeouts and parallel helpers as plain Python (no runner):
what users get under pytest or `python handler.py`."""

from __future__ import annotations

import asyncio
import threading
import time

import autokitteh
import pytest
from autokitteh import _retry
from autokitteh._retry import ActivityOptions, RetryPolicy, next_step


def test_bare_decorator_is_upstreams_marker() -> None:
    def f(x: int) -> int:
        return x

    assert autokitteh.activity(f) is f
    assert f.__ak_activity__ is True  # type: ignore[attr-defined]
    g = autokitteh.activity()(f)
    assert g is f


def test_policy_delays_and_json() -> None:
    p = RetryPolicy(max_attempts=5, initial_interval=0.5, multiplier=3, max_interval=4)
    assert [p.delay(n) for n in (1, 2, 3, 4)] == [0.5, 1.5, 4.0, 4.0]
    assert RetryPolicy.from_json(2) == RetryPolicy(max_attempts=3)
    q = RetryPolicy.from_json({"retries": 1, "non_retryable": "KeyError"})
    assert q.max_attempts == 2 and not q.retryable(KeyError("x"))
    assert q.retryable(ValueError("x"))
    with pytest.raises(ValueError, match="unknown retry policy field"):
        RetryPolicy.from_json({"tries": 1})
    with pytest.raises(TypeError):
        autokitteh.activity(backoff=1.0)


def test_next_step_decisions() -> None:
    opts = ActivityOptions(RetryPolicy(max_attempts=2, initial_interval=0.25))
    first = ValueError("1")
    assert next_step(opts, "f", [first]) == 0.25
    done = next_step(opts, "f", [first, ValueError("2")])
    assert isinstance(done, autokitteh.RetriesExhausted)
    assert done.attempts == 2 and isinstance(done.last, ValueError)
    assert next_step(ActivityOptions(None, 1.0), "f", [first]) is first


def test_retries_with_real_sleeps_then_success() -> None:
    calls: list[float] = []

    @autokitteh.activity(retries=3, backoff=0.05, retry_on=(ConnectionError,))
    def flaky() -> str:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise ConnectionError("down")
        return "up"

    assert flaky() == "up"
    assert len(calls) == 3
    assert calls[2] - calls[1] >= 0.09  # the second wait doubled


def test_non_retryable_error_is_raised_as_is() -> None:
    n = []

    @autokitteh.activity(retry=RetryPolicy(max_attempts=4, non_retryable=(KeyError,)))
    def f() -> None:
        n.append(1)
        raise KeyError("k")

    with pytest.raises(KeyError):
        f()
    assert n == [1]


def test_timeout_abandons_the_call() -> None:
    release = threading.Event()

    @autokitteh.activity(timeout=0.2)
    def hang() -> None:
        release.wait(5)

    t0 = time.monotonic()
    with pytest.raises(autokitteh.ActivityTimeout) as info:
        hang()
    assert time.monotonic() - t0 < 2
    assert info.value.activity == "hang" and info.value.timeout == 0.2
    release.set()


def test_async_activity_retries_and_timeout() -> None:
    tries = []

    @autokitteh.activity(retries=1, backoff=0.01, timeout=0.2)
    async def slow_once() -> int:
        tries.append(1)
        if len(tries) == 1:
            await asyncio.sleep(5)
        return len(tries)

    assert asyncio.run(slow_once()) == 2


def test_gather_order_concurrency_and_failures() -> None:
    @autokitteh.activity
    def slow(i: int) -> int:
        time.sleep(0.2)
        if i == 7:
            raise ValueError("seven")
        return i

    t0 = time.monotonic()
    out = autokitteh.parallel_map(slow, range(7))
    assert out == list(range(7))
    assert time.monotonic() - t0 < 1.0  # not 1.4 s serially
    mixed = autokitteh.gather((slow, 7), lambda: slow(1), return_exceptions=True)
    assert isinstance(mixed[0], ValueError) and mixed[1] == 1
    with pytest.raises(ValueError, match="seven"):
        autokitteh.gather((slow, 1), (slow, 7))
    with pytest.raises(ValueError, match="max_concurrency"):
        autokitteh.parallel_map(slow, [1], max_concurrency=0)


def test_project_default_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AK_ACTIVITY_RETRY", '{"max_attempts": 4}')
    monkeypatch.setenv("AK_ACTIVITY_TIMEOUT", "30")
    _retry.reset_default()
    try:
        opts = _retry.default_options()
        assert opts == ActivityOptions(RetryPolicy(max_attempts=4), 30.0)
    finally:
        _retry.reset_default()
