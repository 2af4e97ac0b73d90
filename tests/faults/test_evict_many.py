"""300 durable sessions wait on `next_signal`: their runners are evicted (the
process count drops to none), and `kill -9` of `ak up` while they are evicted
and again while they wake up loses nothing: every session completes, each
print is stored once, and no journaled activity runs again (a side-effect
file outside the project counts the runs)."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.faults import procs
from tests.faults.conftest import Env, assert_store_sound, make_server

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

N = 300

MANIFEST = """version: v1
project:
  name: waiters
  triggers:
    - name: wait
      type: webhook
      call: program.py:waiter
    - name: go
      type: webhook
      call: program.py:go
"""

PROGRAM = """
import json
import os
import autokitteh as ak

OUT = {out!r}

@ak.activity
def effect(tag, eid):
    with open(OUT, "a") as f:
        f.write(f"{{tag}} {{eid}} {{os.getpid()}}\\n")

def waiter(event):
    effect("a", event.event_id)
    print("waiting")
    sig = ak.next_signal("go", timeout=600)
    print("got", sig.payload if sig else None)
    effect("b", event.event_id)

def go(event):
    for sid in json.loads(event.data.body.text):
        ak.signal(sid, "go", sid)
"""


def _poll(what: str, check: Callable[[], bool], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _evicted(env: Env) -> int:
    with env.db() as db:
        row = db.execute("SELECT COUNT(*) FROM session_waits WHERE evicted = 1")
        return int(row.fetchone()[0])


def _runners(env: Env) -> int:
    assert env.server.proc is not None
    return len(procs.runners(env.server.proc.pid))


def _signal(env: Env, slug: str, sids: list[str]) -> None:
    status, _, body = env.request(
        "POST",
        f"/webhooks/{slug}",
        json.dumps(sids).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 202, body


def test_300_waiters_evicted_killed_and_resumed(tmp_path: Path) -> None:
    out = tmp_path / "effects.txt"
    server = make_server(tmp_path / "srv", "pythonrt.evict_after=1s").start()
    env = Env(server, tmp_path)
    try:
        env.deploy(
            "waiters",
            {"autokitteh.yaml": MANIFEST, "program.py": PROGRAM.format(out=str(out))},
        )
        wait_slug, go_slug = env.slug("waiters", "wait"), env.slug("waiters", "go")
        for _ in range(N):
            assert env.request("POST", f"/webhooks/{wait_slug}", b"{}")[0] == 202
        _poll("all waiters evicted", lambda: _evicted(env) == N, 120)
        _poll("their runners gone", lambda: _runners(env) == 0, 30)
        with env.db() as db:
            sids = [
                r[0]
                for r in db.execute(
                    "SELECT session_id FROM sessions WHERE entry_name = 'waiter'"
                )
            ]
        assert len(sids) == N
        get = json.loads(env.ok("session", "get", sids[0], "-j"))["session"]
        assert get["state"] == "SESSION_STATE_TYPE_RUNNING"
        assert get["wait"] == "waiting (evicted)"
        assert "waiting (evicted)" in env.ok("session", "get", sids[0])

        # kill -9 while every one is evicted: none gets a runner back on restart
        server.kill9()
        server.start()
        time.sleep(1.5)  # recovery has run
        assert _evicted(env) == N and _runners(env) == 0

        # signal the first half, kill -9 while they wake up
        _signal(env, go_slug, sids[: N // 2])
        _poll("a wake-up under way", lambda: _evicted(env) < N, 30)
        server.kill9()
        server.start()
        _signal(env, go_slug, sids[N // 2 :])
        for sid in sids:
            row = env.wait_final(sid, 120)
            assert row["state"] == "completed", (sid, row["error"])
    finally:
        server.stop()

    with env.db() as db:
        rows = db.execute(
            "SELECT s.session_id, p.text FROM session_prints p JOIN sessions s"
            " USING (session_id) WHERE s.entry_name = 'waiter'"
        ).fetchall()
        assert db.execute("SELECT COUNT(*) FROM session_waits").fetchone()[0] == 0
        states = Counter(
            r[0] for r in db.execute("SELECT state FROM sessions").fetchall()
        )
    assert set(states) <= {"completed"}, states  # the `go` sessions too
    by_session: dict[str, list[str]] = {}
    for sid, text in rows:
        by_session.setdefault(sid, []).append(text)
    for sid in sids:
        assert sorted(by_session[sid]) == sorted(["waiting", f"got {sid}"]), sid
    runs = Counter(
        tuple(line.split()[:2]) for line in out.read_text().splitlines() if line
    )
    eids = {eid for _, eid in runs}
    assert len(eids) == N
    for eid in eids:
        assert runs[("a", eid)] == 1, eid  # journaled before the kills: never again
        # "b" ran once, or once more only if a kill hit it before its commit
        assert 1 <= runs[("b", eid)] <= 2, eid
    assert_store_sound(server.db_file)


SLEEPER = """
import os
import time
import autokitteh as ak

OUT = {out!r}

@ak.activity
def effect(tag, eid):
    with open(OUT, "a") as f:
        f.write(f"{{tag}} {{eid}} {{os.getpid()}}\\n")

def sleeper(event):
    effect("a", event.event_id)
    t0 = time.time()
    time.sleep(4)
    print("slept", time.time() - t0 >= 3.9)
    effect("b", event.event_id)
"""

SLEEP_MANIFEST = MANIFEST.split("    - name: go")[0].replace(
    "program.py:waiter", "program.py:sleeper"
)


def test_kill9_in_the_middle_of_evicting_sleepers(tmp_path: Path) -> None:
    """The kill lands while some waits are committed and their runners are
    still exiting, others not evicted yet: every sleeper still wakes once."""
    n = 100
    out = tmp_path / "effects.txt"
    server = make_server(tmp_path / "srv", "pythonrt.evict_after=500ms").start()
    env = Env(server, tmp_path)
    try:
        env.deploy(
            "waiters",
            {
                "autokitteh.yaml": SLEEP_MANIFEST,
                "program.py": SLEEPER.format(out=str(out)),
            },
        )
        slug = env.slug("waiters", "wait")
        for _ in range(n):
            assert env.request("POST", f"/webhooks/{slug}", b"{}")[0] == 202

        def asleep() -> int:  # sessions whose sleep is journaled
            with env.db() as db:
                row = db.execute("SELECT COUNT(*) FROM journal WHERE name = 'sleep'")
                return int(row.fetchone()[0])

        # the kill: all sleeps journaled, some evictions done, the rest coming
        _poll("every sleep journaled", lambda: asleep() == n, 60)
        server.kill9()
        server.start()
        with env.db() as db:
            sids = [
                r[0]
                for r in db.execute(
                    "SELECT session_id FROM sessions WHERE entry_name = 'sleeper'"
                )
            ]
        assert len(sids) == n
        for sid in sids:
            row = env.wait_final(sid, 120)
            assert row["state"] == "completed", (sid, row["error"])
    finally:
        server.stop()
    with env.db() as db:
        texts = Counter(
            r[0] for r in db.execute("SELECT text FROM session_prints").fetchall()
        )
        assert db.execute("SELECT COUNT(*) FROM session_waits").fetchone()[0] == 0
    assert texts == {"slept True": n}
    runs = Counter(
        tuple(line.split()[:2]) for line in out.read_text().splitlines() if line
    )
    eids = {eid for _, eid in runs}
    assert len(eids) == n
    for eid in eids:
        assert runs[("a", eid)] == 1, eid
        assert 1 <= runs[("b", eid)] <= 2, eid
    assert_store_sound(server.db_file)


LONG_SLEEPER = SLEEPER.replace("time.sleep(4)", "time.sleep(8)").replace(
    ">= 3.9", ">= 7.9"
)


def test_kill9_before_eviction_parks_the_sleeper_at_restart(tmp_path: Path) -> None:
    """Killed while its sleep is journaled but before its eviction: the restart
    stores the wait (the journal's last entry is that sleep) instead of giving
    it a runner for the rest of the sleep; it wakes at its time."""
    out = tmp_path / "effects.txt"
    server = make_server(tmp_path / "srv", "pythonrt.evict_after=3s").start()
    env = Env(server, tmp_path)
    try:
        env.deploy(
            "waiters",
            {
                "autokitteh.yaml": SLEEP_MANIFEST,
                "program.py": LONG_SLEEPER.format(out=str(out)),
            },
        )
        slug = env.slug("waiters", "wait")
        assert env.request("POST", f"/webhooks/{slug}", b"{}")[0] == 202

        def asleep() -> bool:
            with env.db() as db:
                row = db.execute("SELECT 1 FROM journal WHERE name = 'sleep'")
                return row.fetchone() is not None

        _poll("the sleep journaled", asleep, 30)
        assert _evicted(env) == 0
        server.kill9()
        server.start()
        _poll("parked at restart", lambda: _evicted(env) == 1 and _runners(env) == 0, 2)
        with env.db() as db:
            (sid,) = db.execute("SELECT session_id FROM sessions").fetchone()
        row = env.wait_final(sid, 60)
        assert row["state"] == "completed", row["error"]
    finally:
        server.stop()
    with env.db() as db:
        texts = [r[0] for r in db.execute("SELECT text FROM session_prints")]
    assert texts == ["slept True"]
    runs = Counter(line.split()[0] for line in out.read_text().splitlines() if line)
    assert runs == {"a": 1, "b": 1}
