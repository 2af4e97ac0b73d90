"""Benchmark 6, recovery: kill -9 `ak up` with K durable sessions in flight.

K durable sessions are seeded in the database (as tests/e2e/test_kill_durable.py
does); each journals a random tag and 3 activities that append "<tag> <i>" to a
file, prints "sleeping", then makes a durable `time.sleep(S)`. Once all K
printed, the server gets SIGKILL and is restarted. We time (from the restart
command) until all K have a runner again and are RUNNING, and until all are
COMPLETED; then check the file: K tags, each with 0..2 exactly once (a
duplicate line means a journaled activity ran again).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from bench.common import (
    Row,
    count_states,
    db,
    new_server,
    tempdir,
    wait_for,
    zygotes_and_runners,
)

PROGRAM = """
import time
import uuid

import autokitteh

OUT = {out!r}


@autokitteh.activity
def tag():
    return uuid.uuid4().hex


@autokitteh.activity
def step(t, i):
    with open(OUT, "a") as f:
        f.write(f"{{t}} {{i}}\\n")
    return i


def main(event):
    t = tag()
    for i in range(3):
        step(t, i)
    print("sleeping")
    time.sleep({sleep})
    print("woke")
"""


def _printed(server, text: str) -> int:  # type: ignore[no-untyped-def]
    with db(server) as conn:
        (n,) = conn.execute(
            "SELECT count(*) FROM session_prints WHERE text = ?", (text,)
        ).fetchone()
    return int(n)


def run(quick: bool) -> list[Row]:
    from tests.engine.inproc import deploy, make_server, start

    k, sleep = (30, 15) if quick else (200, 45)
    rows: list[Row] = []
    with tempdir("recov") as tmp:
        out = Path(tmp) / "activities.txt"
        # Runners kept through the sleep: this measures recovery in runners
        # (eviction has its own benchmark, bench/replay.py).
        server = new_server(Path(tmp) / "home", {"AK_PYTHONRT__EVICT_AFTER": "0"})
        seed = make_server(Path(tmp) / "seed", server.db_file)
        ids = deploy(seed, {"main.py": PROGRAM.format(out=str(out), sleep=sleep)})
        for _ in range(k):
            start(seed, ids, "main.py:main", durable=True)
        seed.db.close()

        t0 = time.monotonic()
        server.start(timeout=60)
        try:
            asleep = wait_for(lambda: _printed(server, "sleeping") >= k, sleep - 5, 0.2)
            t_asleep = time.monotonic() - t0
            if not asleep:
                n = _printed(server, "sleeping")
                return [
                    Row(
                        "recovery",
                        f"{k} sessions in flight",
                        None,
                        "",
                        note=(
                            f"only {n} of {k} sessions reached their sleep in {t_asleep:.0f} s;"
                            " not killed"
                        ),
                    )
                ]
            server.kill9()
            t_kill = time.monotonic()
            server.start(timeout=60)
            t_up = time.monotonic() - t_kill
            assert server.proc is not None
            pid = server.proc.pid

            def resumed() -> bool:
                running = count_states(server).get("running", 0)
                return running >= k and len(zygotes_and_runners(pid)[1]) >= k

            ok_running = wait_for(resumed, timeout=120, step=0.1)
            t_running = time.monotonic() - t_kill
            ok_done = wait_for(
                lambda: count_states(server).get("completed", 0) >= k, 300, 0.2
            )
            t_done = time.monotonic() - t_kill
            states = count_states(server)
        finally:
            server.stop()
        lines = out.read_text().split("\n") if out.exists() else []
        pairs = Counter(tuple(x.split()) for x in lines if x.strip())
        tags = {t for t, _ in pairs}
        dups = sum(c - 1 for c in pairs.values())
        missing = k * 3 - len(pairs)
    note = (
        f"{k} sessions asleep {t_asleep:.1f} s after start; server ready {t_up:.1f} s"
    )
    rows.append(
        Row(
            "recovery",
            f"kill -9 -> all {k} RUNNING again",
            t_running if ok_running else None,
            "s",
            note=note if ok_running else note + f"; not all: {states}",
        )
    )
    rows.append(
        Row(
            "recovery",
            f"kill -9 -> all {k} COMPLETED",
            t_done if ok_done else None,
            "s",
            target="all complete",
            met=ok_done,
            note=f"includes the rest of the {sleep} s durable sleep; states {states}",
        )
    )
    rows.append(
        Row(
            "recovery",
            "journaled activities re-run",
            float(dups),
            "",
            target="0",
            met=dups == 0 and missing == 0 and len(tags) == k,
            note=f"{len(tags)} tags (want {k}), {len(pairs)} distinct activity lines"
            f" (want {3 * k}), {dups} duplicates",
        )
    )
    return rows
