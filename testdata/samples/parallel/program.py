"""Parallel activities: ten 200 ms calls at once with ``parallel_map``.

Each call appends ``start i`` / ``done i`` to the file named by SIDE_EFFECTS
(default: ak-parallel-sample.txt in the temp directory). When GATE_FILE is set,
calls 6..9 wait until that file exists (a test kills the server while they
wait, after 0..5 committed). ``python program.py`` runs it without a server.
"""

import os
import tempfile
import time

import autokitteh

OUT = os.environ.get("SIDE_EFFECTS") or os.path.join(
    tempfile.gettempdir(), "ak-parallel-sample.txt"
)
GATE = os.environ.get("GATE_FILE", "")


def _log(line):
    with open(OUT, "a") as f:
        f.write(line + "\n")


@autokitteh.activity
def fetch(i):
    _log(f"start {i}")
    time.sleep(0.2)
    while GATE and i >= 6 and not os.path.exists(GATE):
        time.sleep(0.05)
    _log(f"done {i}")
    return i * i


def main(event):
    t0 = time.monotonic()
    squares = autokitteh.parallel_map(fetch, range(10), max_concurrency=10)
    elapsed = time.monotonic() - t0
    print(f"squares: {squares}")
    return {"squares": squares, "elapsed": round(elapsed, 3)}


def pair(event):
    """``gather`` with heterogeneous calls: results in argument order."""
    both = autokitteh.gather((fetch, 3), lambda: fetch(2))
    print(f"gather: {both}")


if __name__ == "__main__":
    print(main(None))
    pair(None)
