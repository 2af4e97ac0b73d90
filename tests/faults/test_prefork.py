"""Pre-forked idle runners (akcli/engine/prefork.py) under kill -9.

A zygote keeps `pythonrt.prefork` runners forked, isolated and connected; a
session is handed to one of them. Invariants: a session handed over still runs
in its own process with its own import of the user module (module-level state
is never shared); killing idle runners costs nothing (the next session runs, new
ones are forked); killing the server leaves no idle runner behind, and after the
restart every accepted event has exactly one session.
"""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

from tests.faults import procs
from tests.faults.conftest import Env, assert_store_sound, make_server

pytestmark = [pytest.mark.faults, pytest.mark.timeout(180)]

MANIFEST = """version: v1
project:
  name: pre
  triggers:
    - name: hook
      type: webhook
      call: program.py:on_event
"""

# Module-level code appends to LOADS: a module imported once per session
# prints "loads 1", and a handler whose globals were shared would print count 2.
PROGRAM = """
import os
LOADS = []
LOADS.append(os.getpid())
COUNT = 0

def on_event(event):
    global COUNT
    COUNT += 1
    print(f"pid {os.getpid()} count {COUNT} loads {len(LOADS)}")
"""


def _fire(env: Env, slug: str) -> str:
    status, headers, _ = env.request("POST", f"/webhooks/{slug}", b"{}")
    assert status == 202
    return headers["autokitteh-event-id"]


def _session_of(env: Env, event_id: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        with env.db() as db:
            rows = db.execute(
                "SELECT session_id FROM sessions WHERE event_id = ?", (event_id,)
            ).fetchall()
        if rows:
            assert len(rows) == 1, f"{event_id} has {len(rows)} sessions"
            return str(rows[0][0])
        assert time.monotonic() < deadline, f"no session for {event_id}"
        time.sleep(0.05)


def _printed(env: Env, sid: str) -> tuple[int, int, int]:
    """(pid, count, loads) printed by a completed session."""
    row = env.wait_final(sid)
    assert row["state"] == "completed", row["error"]
    with env.db() as db:
        texts = [
            r[0]
            for r in db.execute(
                "SELECT text FROM session_prints WHERE session_id = ?", (sid,)
            )
        ]
    m = re.search(r"pid (\d+) count (\d+) loads (\d+)", " ".join(texts))
    assert m, texts
    return int(m[1]), int(m[2]), int(m[3])


def _deploy(env: Env) -> str:
    env.deploy("pre", {"autokitteh.yaml": MANIFEST, "program.py": PROGRAM})
    return env.slug("pre", "hook")


def test_handed_session_runs_isolated_in_a_preforked_runner(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", "pythonrt.prefork=2").start()
    try:
        env = Env(server, tmp_path)
        slug = _deploy(env)
        assert server.proc is not None
        pids = [_printed(env, _session_of(env, _fire(env, slug)))[0]]
        for _ in range(4):
            idle = procs.ready_idle(server.proc.pid, 2)
            pid, count, loads = _printed(env, _session_of(env, _fire(env, slug)))
            assert pid in idle  # a pre-forked runner took it
            assert (count, loads) == (1, 1)  # its own import, its own globals
            pids.append(pid)
        assert len(set(pids)) == len(pids)  # one process per session
    finally:
        server.stop()


def test_kill9_idle_runners_next_session_runs(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", "pythonrt.prefork=2").start()
    try:
        env = Env(server, tmp_path)
        slug = _deploy(env)
        assert server.proc is not None
        _printed(env, _session_of(env, _fire(env, slug)))
        for _ in range(3):
            killed = procs.ready_idle(server.proc.pid, 2)
            for pid in killed:
                os.kill(pid, signal.SIGKILL)
            pid, count, loads = _printed(env, _session_of(env, _fire(env, slug)))
            assert pid not in killed
            assert (count, loads) == (1, 1)
        # and fresh idle runners replace the killed ones
        assert len(procs.ready_idle(server.proc.pid, 2)) >= 2
    finally:
        server.stop()


def test_kill9_server_with_idle_runners_leaves_none(tmp_path: Path) -> None:
    home = tmp_path / "srv"
    server = make_server(home, "pythonrt.prefork=2").start()
    env = Env(server, tmp_path)
    slug = _deploy(env)
    assert server.proc is not None
    events = [_fire(env, slug)]
    _printed(env, _session_of(env, events[0]))
    idle = procs.ready_idle(server.proc.pid, 2)
    zygote = procs.zygotes(server.proc.pid)[0].pid
    events += [_fire(env, slug) for _ in range(5)]  # accepted, some not run yet
    server.kill9()
    deadline = time.monotonic() + 30
    left = idle | {zygote}
    while left and time.monotonic() < deadline:
        left = {p for p in left if (q := procs.proc(p)) is not None and q.state != "Z"}
        time.sleep(0.05)
    assert not left, f"processes left after kill -9 of the server: {left}"

    server = make_server(home, "pythonrt.prefork=2").start()
    try:
        env = Env(server, tmp_path)
        sids = [_session_of(env, e) for e in events]  # exactly one each
        for sid in sids:
            env.wait_final(sid)
        events.append(_fire(env, slug))  # and the new server's runners work
        _printed(env, _session_of(env, events[-1]))
        with env.db() as db:
            n = db.execute("SELECT count(*) FROM sessions").fetchone()[0]
        assert n == len(events)
    finally:
        server.stop()
    assert_store_sound(home / "xdg_data_home" / "autokitteh" / "autokitteh.sqlite")


# Idle runners' code dirs hold the last session's build before they are taken;
# a new deployment's session must see only its own files, and a file one
# session writes into its directory is never seen by the next.
VERSIONED = """
import os

def on_event(event):
    seen = sorted(f for f in os.listdir(".") if f.endswith((".py", ".txt")))
    open("scratch.txt", "w").write("x")
    print(f"pid {os.getpid()} version {VERSION} sees {','.join(seen)}")
"""


def _version_printed(env: Env, sid: str) -> tuple[int, str, str]:
    row = env.wait_final(sid)
    assert row["state"] == "completed", row["error"]
    with env.db() as db:
        texts = " ".join(
            r[0]
            for r in db.execute(
                "SELECT text FROM session_prints WHERE session_id = ?", (sid,)
            )
        )
    m = re.search(r"pid (\d+) version (\w+) sees (\S+)", texts)
    assert m, texts
    return int(m[1]), m[2], m[3]


def test_new_build_replaces_the_prefilled_one(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", "pythonrt.prefork=2").start()
    try:
        env = Env(server, tmp_path)
        assert server.proc is not None
        v1 = {"autokitteh.yaml": MANIFEST, "program.py": "VERSION = 'one'" + VERSIONED}
        work = env.deploy("pre", {**v1, "old.py": "X = 1\n"})
        slug = env.slug("pre", "hook")
        # The first session starts the zygote; its successor's directory was
        # filled with build one before it was forked.
        _, version, seen = _version_printed(env, _session_of(env, _fire(env, slug)))
        assert (version, seen) == ("one", "old.py,program.py")
        idle = procs.ready_idle(server.proc.pid, 2)
        pid, version, seen = _version_printed(env, _session_of(env, _fire(env, slug)))
        assert (version, seen) == ("one", "old.py,program.py")
        assert pid in idle
        v2 = {"autokitteh.yaml": MANIFEST, "program.py": "VERSION = 'two'" + VERSIONED}
        (work / "old.py").unlink()  # build two has no old.py
        env.deploy("pre", v2)
        # A new build's first session unpacks it (a forked runner); the next
        # ones take idle runners whose directories held build one (rewritten
        # in place), then ones forked with build two.
        _, version, seen = _version_printed(env, _session_of(env, _fire(env, slug)))
        assert (version, seen) == ("two", "program.py")
        for _ in range(3):
            idle = procs.ready_idle(server.proc.pid, 2)
            pid, version, seen = _version_printed(
                env, _session_of(env, _fire(env, slug))
            )
            assert pid in idle
            assert (version, seen) == ("two", "program.py")
    finally:
        server.stop()
