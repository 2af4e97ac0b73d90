"""kill -9 of `ak up` at random points while a thread fires webhooks at a
durable handler with three activities.

Invariants after the last restart: every event acknowledged with 202 (its
`AutoKitteh-Event-ID`) is stored and has exactly one session; every session
completes; each activity appends `<event> <i> <runner pid>` to a file outside
the project, and per event the activities run in order, an activity runs again
only in a NEW runner right after the one that died with it in flight (never a
journaled one, never twice in one runner); no zygote or runner outlives its
killed server; the store is sound.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.faults import procs
from tests.faults.conftest import ITERATIONS, Env, assert_store_sound, make_server

pytestmark = [pytest.mark.faults, pytest.mark.timeout(120 + 25 * ITERATIONS)]

MANIFEST = """version: v1
project:
  name: load
  triggers:
    - name: hook
      type: webhook
      call: program.py:on_event
"""

PROGRAM = """
import os
import time
import autokitteh

OUT = {out!r}

@autokitteh.activity
def step(eid, i):
    with open(OUT, "a") as f:
        f.write(f"{{eid}} {{i}} {{os.getpid()}}\\n")
    time.sleep(0.05)
    return i

def on_event(event):
    total = 0
    for i in range(3):
        total += step(event.event_id, i)
        print(f"step {{i}}")
    return total
"""


@pytest.mark.parametrize("how", ["kill9", "sigint"])
def test_restarts_under_webhook_load(tmp_path: Path, how: str) -> None:
    """`kill9`: SIGKILL; `sigint`: a graceful stop (Ctrl-C) that must exit 0."""
    out = tmp_path / "activities.txt"
    server = make_server(tmp_path / "srv").start()
    env = Env(server, tmp_path)
    acked: list[str] = []
    refused: Counter[int] = Counter()
    stop = threading.Event()
    env.deploy(
        "load",
        {"autokitteh.yaml": MANIFEST, "program.py": PROGRAM.format(out=str(out))},
    )
    slug = env.slug("load", "hook")

    def fire() -> None:
        i = 0
        while not stop.is_set():
            url = server.url
            if not url:
                time.sleep(0.01)
                continue
            i += 1
            try:
                status, headers, _ = _post(url, slug, i)
            except OSError:
                time.sleep(0.01)  # the server is down: not acknowledged
                continue
            if status == 202:
                acked.append(headers["autokitteh-event-id"])
            else:
                refused[status] += 1
            time.sleep(0.01)

    sender = threading.Thread(target=fire, daemon=True)
    sender.start()
    rng = random.Random(4321)
    kills = 0
    in_flight = 0  # sessions RUNNING at the kills, summed
    orphans: set[int] = set()  # zygotes and runners of killed servers
    try:
        for _ in range(ITERATIONS if how == "kill9" else max(2, ITERATIONS // 2)):
            time.sleep(rng.uniform(0.1, 0.8))
            assert server.proc is not None
            for z in procs.zygotes(server.proc.pid):
                orphans.add(z.pid)
                orphans.update(c.pid for c in procs.children(z.pid))
            if how == "kill9":
                server.kill9()
            else:
                server.stop()
                assert server.proc is not None
                if server.proc.returncode != 0:
                    tail = [
                        x
                        for x in server.log.read_text().splitlines()
                        if not x.startswith("INFO")
                    ][-40:]
                    raise AssertionError(
                        f"graceful stop exited {server.proc.returncode}:\n"
                        + "\n".join(tail)
                    )
            server.url = ""
            kills += 1
            with env.db() as db:  # the sessions that had an activity in flight
                in_flight += db.execute(
                    "SELECT COUNT(*) FROM sessions WHERE state = 'running'"
                ).fetchone()[0]
            server.start()
            assert env.healthy()
        time.sleep(0.3)
        stop.set()
        sender.join(30)
        assert not sender.is_alive()
        assert env.healthy()
        # every acknowledged event got exactly one session; all complete
        deadline = time.monotonic() + 60 + 2 * len(acked) * 0.05
        while True:
            with env.db() as db:
                pending = db.execute(
                    "SELECT COUNT(*) FROM events WHERE dispatched = 0"
                ).fetchone()[0]
                open_ = db.execute(
                    "SELECT COUNT(*) FROM sessions WHERE state IN ('created', 'running')"
                ).fetchone()[0]
            if not pending and not open_:
                break
            assert time.monotonic() < deadline, (
                f"{pending} events, {open_} sessions open"
            )
            time.sleep(0.2)
    finally:
        stop.set()
        server.stop()

    deadline = time.monotonic() + 15
    while alive := [p for p in map(procs.proc, orphans) if p and p.state != "Z"]:
        assert time.monotonic() < deadline, f"processes outlived their server: {alive}"
        time.sleep(0.2)
    assert acked, "no webhook was acknowledged"
    assert not refused, f"webhooks answered other than 202: {dict(refused)}"
    assert len(set(acked)) == len(acked), "an event ID was acknowledged twice"
    with env.db() as db:
        stored = {r[0] for r in db.execute("SELECT event_id FROM events")}
        per_event = Counter(
            r[0]
            for r in db.execute("SELECT event_id FROM sessions WHERE event_id != ''")
        )
        prints: defaultdict[str, list[str]] = defaultdict(list)
        for sid, text in db.execute(
            "SELECT session_id, text FROM session_prints ORDER BY id"
        ):
            prints[sid].append(text)
        sids = [r[0] for r in db.execute("SELECT session_id FROM sessions")]
        states = Counter(
            (r[0], r[1])
            for r in db.execute("SELECT state, COALESCE(error, '') FROM sessions")
        )
    missing = set(acked) - stored
    assert not missing, f"{len(missing)} acknowledged events lost"
    not_once = {e: per_event.get(e, 0) for e in stored if per_event.get(e, 0) != 1}
    assert not not_once, f"events without exactly one session: {not_once}"
    assert set(states) == {("completed", "")}, states
    want = ["step 0", "step 1", "step 2"]
    bad = {sid: prints[sid] for sid in sids if prints[sid] != want}
    assert not bad, f"prints lost or stored twice: {bad}"
    assert_store_sound(server.db_file)

    runs: dict[str, list[tuple[int, str]]] = defaultdict(list)  # in file order
    for line in out.read_text().splitlines():
        eid, i, pid = line.split()
        runs[eid].append((int(i), pid))
    reruns = 0
    for eid in stored:
        seq = runs[eid]
        assert sorted({i for i, _ in seq}) == [0, 1, 2], f"{eid}: {seq}"
        for (i0, pid0), (i1, pid1) in itertools.pairwise(seq):
            assert i1 >= i0, f"{eid}: activities ran out of order: {seq}"
            if i1 == i0:
                # Only the activity in flight when a runner died runs again,
                # and then in the next runner, never twice in one.
                assert pid1 != pid0, f"{eid}: activity {i0} ran twice: {seq}"
                reruns += 1
            elif pid1 == pid0:
                assert i1 == i0 + 1, f"{eid}: {seq}"
        assert len(seq) - 3 <= kills, f"{eid}: {seq} for {kills} kills"
    print(
        f"{how}: {kills} restarts, {len(acked)} events acknowledged, "
        f"{reruns} activities re-run (each in flight at a kill)"
    )
    assert reruns <= in_flight


def _post(url: str, slug: str, i: int) -> tuple[int, dict[str, str], bytes]:
    from tests.faults.conftest import raw_request

    return raw_request(url, "POST", f"/webhooks/{slug}?i={i}", b"{}", timeout=10)
