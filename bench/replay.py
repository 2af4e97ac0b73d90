"""Benchmark: replay cost (issue 18 item 4) — resume an evicted session whose
journal holds N entries.

A durable session makes N no-op activities (N journal entries), prints, and
waits on `next_signal`; `pythonrt.evict_after` evicts its runner. Then the
signal is committed (time t0) and the session resumes in a fresh runner that
replays the N entries, takes the signal and prints `time.time()` (t1): t1 - t0
is the time to the live point, including the wake-up scan, the fork, loading
and shipping the journal and the replay itself. Baseline: the same with an
empty journal (N = 0), same run. Also timed alone: `load_journal` of the N
entries on the server. Runs an in-process engine with real runner processes.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import Row, tempdir

TARGET_S = 1.0

PROGRAM = """
import time
import autokitteh as ak

@ak.activity
def noop(i):
    return i

def main(event):
    for i in range(event.data.n):
        noop(i)
    print("waiting")
    ak.next_signal("go")
    print(f"live {time.time()!r}")
"""


async def _one(srv: Any, ids: tuple[str, str, str], n: int) -> tuple[float, float]:
    """(seconds to the live point after the signal, seconds of load_journal)."""
    from akcli.engine.session_host import load_journal
    from akcli.store.db import now
    from tests.engine.inproc import start

    sid = start(srv, ids, "main.py:main", inputs={"n": n})
    deadline = time.monotonic() + 300
    runner = srv.engine.runner
    while True:  # until evicted
        row = srv.db.one("SELECT evicted FROM session_waits WHERE session_id = ?", sid)
        if row is not None and row["evicted"] and sid not in runner.tasks:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"session with {n} entries was not evicted")
        await asyncio.sleep(0.05)
    t = time.perf_counter()
    journal = load_journal(srv, sid)
    load_s = time.perf_counter() - t
    assert len(journal) == n
    t0 = time.time()
    with srv.db.tx():
        srv.db.exec(
            "INSERT INTO signals (session_id, name, payload, created_at)"
            " VALUES (?, 'go', 'null', ?)",
            sid,
            now(),
        )
    srv.engine.kick()
    while True:
        row = srv.db.one(
            "SELECT text FROM session_prints WHERE session_id = ? AND text LIKE 'live %'",
            sid,
        )
        if row is not None:
            return float(row["text"].split()[1]) - t0, load_s
        state = srv.db.one(
            "SELECT state, error FROM sessions WHERE session_id = ?", sid
        )
        if state["state"] != "running":
            raise RuntimeError(f"session ended {state['state']}: {state['error']}")
        if time.monotonic() > deadline:
            raise RuntimeError("session did not reach its live point")
        await asyncio.sleep(0.002)


def measure(n: int, repeat: int) -> dict[str, list[float]]:
    from tests.engine.inproc import deploy, make_server

    out: dict[str, list[float]] = {"base": [], "full": [], "load": []}

    async def main(tmp: Path) -> None:
        srv = make_server(tmp, tmp / "bench.sqlite")
        srv.config.overrides["pythonrt.evict_after"] = "300ms"
        await srv.engine.start()
        try:
            ids = deploy(srv, {"main.py": PROGRAM})
            for _ in range(repeat):
                out["base"].append((await _one(srv, ids, 0))[0])
                live, load = await _one(srv, ids, n)
                out["full"].append(live)
                out["load"].append(load)
        finally:
            await srv.engine.shutdown()
            srv.db.close()

    with tempdir("replay") as tmp:
        asyncio.run(main(tmp))
    return out


def run(quick: bool) -> list[Row]:
    os.environ.setdefault("AK_WORKER_PYTHON", sys.executable)
    n, repeat = (10_000, 1) if quick else (10_000, 3)
    got = measure(n, repeat)
    best = min(got["full"])
    base = min(got["base"])
    return [
        Row(
            "replay",
            f"resume after eviction, {n:,}-entry journal -> live point",
            best,
            "s",
            baseline=f"empty journal {base * 1000:.0f} ms",
            ratio=best / base if base else None,
            target=f"<= {TARGET_S:g} s",
            met=best <= TARGET_S,
            note=(
                f"best of {repeat}: {', '.join(f'{x:.3f}' for x in got['full'])} s;"
                f" load_journal {min(got['load']) * 1000:.0f} ms"
            ),
        )
    ]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    os.environ.setdefault("AK_WORKER_PYTHON", sys.executable)
    print(json.dumps(measure(n, 3)))
