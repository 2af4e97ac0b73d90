"""Retries with backoff and timeouts of activities.

``main``: an activity that fails twice (a connection error) and then succeeds,
with ``retries=3`` and a backoff; every attempt is one journaled entry and the
waits between them are durable timers. ``hang_once``: an activity that never
returns, with ``timeout=1`` and no retries: the session ends in ERROR with
``ActivityTimeout``. ``hang_then_ok``: the same with one retry, whose second
attempt returns.

Each attempt appends a line to the file named by the SIDE_EFFECTS variable
(default: ak-retry-sample.txt in the temp directory), so a test can count them.
The same code runs without a server: ``python program.py [main|hang_once|...]``.
"""

import os
import sys
import tempfile
import time

import autokitteh

OUT = os.environ.get("SIDE_EFFECTS") or os.path.join(
    tempfile.gettempdir(), "ak-retry-sample.txt"
)
BACKOFF = float(os.environ.get("BACKOFF") or "1")


def _attempt(what):
    """Record an attempt of ``what``; its number (1, 2, ...)."""
    try:
        with open(OUT) as f:
            n = sum(1 for line in f if line.startswith(what + " "))
    except FileNotFoundError:
        n = 0
    with open(OUT, "a") as f:
        f.write(f"{what} {n + 1}\n")
    return n + 1


@autokitteh.activity(retries=3, backoff=BACKOFF, retry_on=(ConnectionError,))
def flaky_fetch(url):
    n = _attempt("fetch")
    if n < 3:
        raise ConnectionError(f"attempt {n}: {url} unreachable")
    return f"fetched {url} on attempt {n}"


def main(event):
    print(flaky_fetch("https://example.com/data"))


@autokitteh.activity(timeout=1)
def hang():
    _attempt("hang")
    time.sleep(3600)


def hang_once(event):
    hang()


@autokitteh.activity(timeout=1, retries=1, backoff=0.1)
def slow_then_fast():
    if _attempt("slow") == 1:
        time.sleep(3600)
    return "second attempt returned"


def hang_then_ok(event):
    print(slow_then_fast())


if __name__ == "__main__":
    globals()[sys.argv[1] if len(sys.argv) > 1 else "main"](None)
