"""Eviction of waiting durable sessions (issue 18): the runner exits, the wait
lives in `session_waits`, and the session resumes by replay when it ends."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from akcli.server.services import sessions as sessions_svc
from akcli.server.state import Server
from akcli.store.db import now
from tests.engine.conftest import deploy, prints, run_with_engine, start, wait_final

pytestmark = pytest.mark.usefixtures("worker_python")

PROGRAM = """
import os
import time
import autokitteh as ak

OUT = {out!r}

@ak.activity
def effect(tag):
    with open(OUT, "a") as f:
        f.write(f"{{tag}} {{os.getpid()}}\\n")
    return tag

def on_signal(event):
    print("before", effect("a"))
    sig = ak.next_signal("go", timeout=event.data.timeout)
    print("got", sig.payload if sig else None)
    print("after", effect("b"))

def on_sleep(event):
    print("before", effect("a"))
    t0 = time.time()
    time.sleep(event.data.seconds)
    print("slept", time.time() - t0 >= event.data.seconds - 0.05)
    print("after", effect("b"))

def on_event(event):
    sub = ak.subscribe("second", "data.url.path.endsWith('/woof')")
    print("before", effect("a"))
    e = ak.next_event(sub, timeout=60)
    print("got", e.url.path if e else None)
    print("after", effect("b"))

def parent(event):
    child = ak.start("main.py:child", {{}})
    print("before", effect("a"))
    done = ak.next_signal(child, timeout=60)
    print("child ended", done.payload)
    print("after", effect("b"))

def child(event):
    time.sleep(1.5)
    return "child-result"

def plain(event):
    sig = ak.next_signal("go", timeout=20)
    print("got", sig.payload if sig else None)
"""


def _signal(srv: Server, sid: str, payload: object) -> None:
    with srv.db.tx():
        srv.db.exec(
            "INSERT INTO signals (session_id, name, payload, created_at)"
            " VALUES (?, 'go', ?, ?)",
            sid,
            json.dumps(payload),
            now(),
        )
    srv.engine.kick()


async def _until_evicted(srv: Server, sid: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    runner = srv.engine.runner if srv.engine else None
    assert runner is not None
    while time.monotonic() < deadline:
        row = srv.db.one("SELECT evicted FROM session_waits WHERE session_id = ?", sid)
        if row is not None and row["evicted"] and sid not in runner.tasks:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{sid} not evicted in {timeout}s")


def _setup(srv: Server, tmp_path: Path, evict_after: str = "300ms") -> tuple[str, ...]:
    srv.config.overrides["pythonrt.evict_after"] = evict_after
    out = tmp_path / "effects.txt"
    return deploy(srv, {"main.py": PROGRAM.format(out=str(out))})


def _effects(tmp_path: Path) -> list[str]:
    return [
        ln.split()[0] for ln in (tmp_path / "effects.txt").read_text().split("\n") if ln
    ]


def test_signal_wait_is_evicted_and_resumes(tmp_path: Path) -> None:
    async def body(srv: Server) -> None:
        ids = _setup(srv, tmp_path)
        sid = start(srv, ids, "main.py:on_signal", inputs={"timeout": 30})
        await _until_evicted(srv, sid)
        got = sessions_svc.get(srv, {"session_id": sid})["session"]
        assert got["state"] == "SESSION_STATE_TYPE_RUNNING"
        assert got["wait"] == "waiting (evicted)"
        _signal(srv, sid, {"n": 1})
        row = await wait_final(srv, sid)
        assert row["state"] == "completed", row["error"]
        assert prints(srv, sid) == ["before a", "got {'n': 1}", "after b"]
        assert _effects(tmp_path) == ["a", "b"]  # "a" not re-run by the replay
        assert srv.db.one("SELECT 1 FROM session_waits") is None
        got = sessions_svc.get(srv, {"session_id": sid})["session"]
        assert "wait" not in got

    run_with_engine(tmp_path, body)


def test_timeout_survives_eviction(tmp_path: Path) -> None:
    async def body(srv: Server) -> None:
        ids = _setup(srv, tmp_path)
        sid = start(srv, ids, "main.py:on_signal", inputs={"timeout": 1.5})
        await _until_evicted(srv, sid)
        # The deadline counts from the call (just after activity "a" was
        # committed), not from the eviction 0.3 s later.
        a = srv.db.one("SELECT created_at FROM journal WHERE seq = 1")["created_at"]
        t_a = datetime.strptime(a, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        wake_at = srv.db.one("SELECT wake_at FROM session_waits")["wake_at"]
        assert 1.5 <= wake_at - t_a.timestamp() < 1.5 + 0.25
        row = await wait_final(srv, sid)  # woken by its deadline, not a signal
        assert row["state"] == "completed", row["error"]
        assert prints(srv, sid) == ["before a", "got None", "after b"]
        assert _effects(tmp_path) == ["a", "b"]

    run_with_engine(tmp_path, body)


def test_sleep_is_evicted_and_wakes_at_its_time(tmp_path: Path) -> None:
    async def body(srv: Server) -> None:
        ids = _setup(srv, tmp_path)
        sid = start(srv, ids, "main.py:on_sleep", inputs={"seconds": 1.5})
        await _until_evicted(srv, sid)
        row = await wait_final(srv, sid)
        assert row["state"] == "completed", row["error"]
        assert prints(srv, sid) == ["before a", "slept True", "after b"]
        assert _effects(tmp_path) == ["a", "b"]

    run_with_engine(tmp_path, body)


def test_non_durable_is_never_evicted(tmp_path: Path) -> None:
    async def body(srv: Server) -> None:
        ids = _setup(srv, tmp_path, "100ms")
        sid = start(srv, ids, "main.py:plain", durable=False)
        await asyncio.sleep(1.0)
        assert sid in srv.engine.runner.handles
        assert srv.db.one("SELECT 1 FROM session_waits") is None
        _signal(srv, sid, "x")
        row = await wait_final(srv, sid)
        assert row["state"] == "completed", row["error"]
        assert prints(srv, sid) == ["got x"]

    run_with_engine(tmp_path, body)


def test_stop_an_evicted_session(tmp_path: Path) -> None:
    async def body(srv: Server) -> None:
        ids = _setup(srv, tmp_path)
        sid = start(srv, ids, "main.py:on_signal", inputs={"timeout": 30})
        await _until_evicted(srv, sid)
        await srv.engine.stop_session(sid, "enough", force=False)
        row = await wait_final(srv, sid)
        assert row["state"] == "stopped"
        assert srv.db.one("SELECT 1 FROM session_waits") is None

    run_with_engine(tmp_path, body)


def _insert_event(srv: Server, trigger_id: str, path: str) -> None:
    with srv.db.tx():
        srv.db.exec(
            "INSERT INTO events (event_id, destination_id, event_type, data, memo,"
            " created_at, dispatched) VALUES (?, ?, 'get', ?, '{}', ?, 1)",
            srv.ids.new("evt"),
            trigger_id,
            json.dumps({"url": {"path": path}}),
            now(),
        )
    srv.engine.kick()


def test_event_wait_is_evicted_and_resumes(tmp_path: Path) -> None:
    async def body(srv: Server) -> None:
        ids = _setup(srv, tmp_path)
        tid = srv.ids.new("trg")
        with srv.db.tx():
            srv.db.exec(
                "INSERT INTO triggers (trigger_id, project_id, name, source_type,"
                " webhook_slug, created_at, updated_at) VALUES (?, ?, 'second',"
                " 'SOURCE_TYPE_WEBHOOK', 'slug', ?, ?)",
                tid,
                ids[0],
                now(),
                now(),
            )
        sid = start(srv, ids, "main.py:on_event")
        await _until_evicted(srv, sid)
        _insert_event(srv, tid, "/webhooks/slug/meow")  # wakes it; no match
        for _ in range(200):  # a fresh runner skipped it: the cursor moved
            if srv.db.one("SELECT 1 FROM subscriptions WHERE cursor > 0"):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("not woken by the event")
        await _until_evicted(srv, sid)  # so it waits (and is evicted) again
        assert srv.db.one("SELECT state FROM sessions")["state"] == "running"
        _insert_event(srv, tid, "/webhooks/slug/woof")
        row = await wait_final(srv, sid)
        assert row["state"] == "completed", row["error"]
        assert prints(srv, sid) == ["before a", "got /webhooks/slug/woof", "after b"]
        assert _effects(tmp_path) == ["a", "b"]

    run_with_engine(tmp_path, body)


def test_parent_waiting_for_its_child_is_evicted(tmp_path: Path) -> None:
    async def body(srv: Server) -> None:
        ids = _setup(srv, tmp_path)
        sid = start(srv, ids, "main.py:parent")
        await _until_evicted(srv, sid)
        row = await wait_final(srv, sid)
        assert row["state"] == "completed", row["error"]
        assert prints(srv, sid) == [
            "before a",
            "child ended {'completed': True, 'value': 'child-result'}",
            "after b",
        ]
        assert _effects(tmp_path) == ["a", "b"]

    run_with_engine(tmp_path, body)
