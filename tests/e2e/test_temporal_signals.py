"""`engine: temporal`: signals, subscribed events and child sessions through
Temporal (a dev server per module, tests/temporal_dev.py).

A signal is committed to the ak store, then delivered to the target's
workflow as the Temporal signal `ak_signal`; `next_signal` is the update
`wait` (its timeout a Temporal timer); a runner evicted while it waits is
restarted by the workflow itself; a durable child session is a child
workflow. Each test reads the workflow's history from the real dev server.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_temporal_engine import (
    _deploy,
    _log_shape,
    _start,
    _wait_state,
)
from tests.server import AkServer
from tests.temporal_dev import TemporalDev

pytest.importorskip("temporalio")

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


WAITER = """
import autokitteh

OUT = {out!r}

@autokitteh.activity
def mark(text):
    with open(OUT, "a") as f:
        f.write(text + "\\n")
    return text

def main(event):
    mark("before")
    sig = autokitteh.next_signal("go", timeout=event.data["timeout"])
    if sig is None:
        mark("timeout")
        return None
    mark("after")
    return sig.payload["v"]

def send(event):
    autokitteh.signal(event.data["target"], "go", {{"v": event.data["v"]}})
"""


@dataclass
class History:
    status: str
    parent_id: str | None
    activities: list[str] = field(default_factory=list)
    signals: list[tuple[str, Any]] = field(default_factory=list)  # name, args
    updates: list[str] = field(default_factory=list)  # accepted, by name
    timers: int = 0  # fired
    order: list[str] = field(default_factory=list)  # "signal:x" / "activity:x"


def history(temporal: TemporalDev, wid: str) -> History:
    async def fetch() -> History:
        from temporalio.client import Client

        client = await Client.connect(temporal.host_port)
        handle = client.get_workflow_handle(wid)
        desc = await handle.describe()
        assert desc.status is not None
        h = History(desc.status.name, desc.parent_id)
        async for ev in handle.fetch_history_events():
            if ev.HasField("activity_task_scheduled_event_attributes"):
                name = ev.activity_task_scheduled_event_attributes.activity_type.name
                h.activities.append(name)
                h.order.append("activity:" + name)
            elif ev.HasField("workflow_execution_signaled_event_attributes"):
                attrs = ev.workflow_execution_signaled_event_attributes
                args = [json.loads(p.data) for p in attrs.input.payloads]
                h.signals.append((attrs.signal_name, args))
                h.order.append("signal:" + attrs.signal_name)
            elif ev.HasField("workflow_execution_update_accepted_event_attributes"):
                req = ev.workflow_execution_update_accepted_event_attributes
                h.updates.append(req.accepted_request.input.name)
            elif ev.HasField("timer_fired_event_attributes"):
                h.timers += 1
        return h

    return asyncio.run(fetch())


def closed_history(temporal: TemporalDev, wid: str) -> History:
    """`history` once the workflow closed (after the session's end is stored),
    checked to replay deterministically on today's workflow code."""
    deadline = time.monotonic() + 30
    while True:
        h = history(temporal, wid)
        if h.status != "RUNNING" or time.monotonic() > deadline:
            _replay(temporal, wid)
            return h
        time.sleep(0.2)


def _replay(temporal: TemporalDev, wid: str) -> None:
    async def replay() -> None:
        from temporalio.client import Client
        from temporalio.worker import Replayer

        from akcli.engine.temporal.workflow import AkSession

        client = await Client.connect(temporal.host_port)
        hist = await client.get_workflow_handle(wid).fetch_history()
        await Replayer(workflows=[AkSession]).replay_workflow(hist)  # raises

    asyncio.run(replay())


def _start_with(server: AkServer, entry: str, durable: bool, **inputs: Any) -> str:
    args = ["-j", "session", "start", "-o", "waiter", "-p", entry]
    for k, v in inputs.items():
        args += ["-I", f"{k}={json.dumps(v)}"]
    out = server.ak(*args, *(["-D"] if durable else []))
    return str(json.loads(out)["session_id"])


def _session(db_file: Path, sid: str) -> tuple[str, str | None, str | None]:
    with sqlite3.connect(db_file) as conn:
        state, error, value = conn.execute(
            "SELECT state, error, return_value FROM sessions WHERE session_id = ?",
            (sid,),
        ).fetchone()
    return str(state), error, value


def _wait_file(path: Path, lines: list[str]) -> None:
    deadline = time.monotonic() + 60
    while not path.exists() or path.read_text().split() != lines:
        assert time.monotonic() < deadline, f"{path} is not {lines}"
        time.sleep(0.05)


def _wait_evicted(db_file: Path, sid: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        with sqlite3.connect(db_file) as conn:
            row = conn.execute(
                "SELECT op FROM session_waits WHERE session_id = ? AND evicted = 1",
                (sid,),
            ).fetchone()
        if row is not None:
            assert row[0] == "workflow"  # kept by the workflow, not the scan
            return
        assert time.monotonic() < deadline, f"session {sid} was not evicted"
        time.sleep(0.1)


def _server(temporal: TemporalDev, home: Path, queue: str, evict: str) -> AkServer:
    env = {**temporal.env(queue), "AK_PYTHONRT__EVICT_AFTER": evict}
    return AkServer(home, mode="dev", env=env).start()


def test_signal_delivered_as_temporal_signal(
    temporal: TemporalDev, tmp_path: Path
) -> None:
    """`signal()` to a session waiting in `next_signal`: committed to the store,
    delivered as `ak_signal`, the `wait` update answers; the session completes
    with the payload, the signal consumed once."""
    out = tmp_path / "out.txt"
    server = _server(temporal, tmp_path / "home", "sig", "10m")
    try:
        _deploy(server, tmp_path, "waiter", WAITER.format(out=str(out)))
        sid = _start_with(server, "main.py:main", True, timeout=120)
        _wait_file(out, ["before"])
        _start_with(server, "main.py:send", False, target=sid, v=42)
        state = _wait_state(server.db_file, sid, {"completed", "error"}, 60)
        _, error, value = _session(server.db_file, sid)
        with sqlite3.connect(server.db_file) as conn:
            rows = conn.execute(
                "SELECT id, name, consumed FROM signals WHERE session_id = ?", (sid,)
            ).fetchall()
        log = server.ak("-j", "session", "log", sid, "-o", "asc")
    finally:
        server.stop()
    assert state == "completed", error
    assert value == "42"
    assert out.read_text().split() == ["before", "after"]
    assert len(rows) == 1 and rows[0][1:] == ("go", 1)
    assert '"op":"next_signal"' in log  # the session log reads as before
    h = closed_history(temporal, sid)
    assert h.status == "COMPLETED"
    assert ("ak_signal", [rows[0][0], "go"]) in h.signals
    assert "wait" in h.updates
    assert h.activities.count("run_runner") == 1  # never evicted


def test_signal_session_log_same_as_builtin(
    temporal: TemporalDev, tmp_path: Path
) -> None:
    """The session log of a session that got a signal reads the same on both
    engines (the signal goes through Temporal, the records through the store)."""
    shapes = {}
    for engine in ("builtin", "temporal"):
        out = tmp_path / f"{engine}.txt"
        env = {"AK_PYTHONRT__EVICT_AFTER": "10m"}
        if engine == "temporal":
            env.update(temporal.env("logshape"))
        server = AkServer(tmp_path / engine, mode="dev", env=env).start()
        try:
            _deploy(server, tmp_path / engine, "waiter", WAITER.format(out=str(out)))
            sid = _start_with(server, "main.py:main", True, timeout=120)
            _wait_file(out, ["before"])
            _start_with(server, "main.py:send", False, target=sid, v=3)
            state = _wait_state(server.db_file, sid, {"completed", "error"}, 60)
            assert state == "completed"
            shapes[engine] = _log_shape(server, sid)
        finally:
            server.stop()
    assert shapes["temporal"] == shapes["builtin"]
    assert any("sdk_call" in r for r in shapes["temporal"])


def test_next_signal_timeout_evicted_is_none(
    temporal: TemporalDev, tmp_path: Path
) -> None:
    """No signal: `next_signal` returns None at its timeout, a Temporal timer.
    The wait outlasts `evict_after`: the runner exits, the workflow waits for
    the timer itself and runs `run_runner` again, which replays."""
    out = tmp_path / "out.txt"
    server = _server(temporal, tmp_path / "home", "timeout", "1s")
    try:
        _deploy(server, tmp_path, "waiter", WAITER.format(out=str(out)))
        sid = _start_with(server, "main.py:main", True, timeout=4)
        _wait_evicted(server.db_file, sid)
        state = _wait_state(server.db_file, sid, {"completed", "error"}, 60)
        _, error, value = _session(server.db_file, sid)
    finally:
        server.stop()
    assert state == "completed", error
    assert value == "null"
    assert out.read_text().split() == ["before", "timeout"]
    h = closed_history(temporal, sid)
    assert h.status == "COMPLETED"
    assert h.timers >= 1  # the wait's timeout
    assert h.activities.count("run_runner") == 2  # evicted once, resumed once
    assert not any(name == "wake" for name, _ in h.signals)  # resumed by itself


def test_signal_wakes_evicted_runner(temporal: TemporalDev, tmp_path: Path) -> None:
    """A signal sent while the session's runner is evicted: the workflow's own
    wait ends on `ak_signal`, it starts `run_runner` again (no `wake` from the
    engine), the replay consumes the signal; nothing journaled runs again."""
    out = tmp_path / "out.txt"
    server = _server(temporal, tmp_path / "home", "evicted", "1s")
    try:
        _deploy(server, tmp_path, "waiter", WAITER.format(out=str(out)))
        sid = _start_with(server, "main.py:main", True, timeout=300)
        _wait_evicted(server.db_file, sid)
        shown = json.loads(server.ak("-j", "session", "get", sid))
        _start_with(server, "main.py:send", False, target=sid, v=7)
        state = _wait_state(server.db_file, sid, {"completed", "error"}, 60)
        _, error, value = _session(server.db_file, sid)
    finally:
        server.stop()
    assert shown["session"].get("wait") == "waiting (evicted)"
    assert state == "completed", error
    assert value == "7"
    assert out.read_text().split() == ["before", "after"]
    h = closed_history(temporal, sid)
    assert h.status == "COMPLETED"
    assert [n for n, _ in h.signals if n != "ak_signal"] == []
    runs = [i for i, x in enumerate(h.order) if x == "activity:run_runner"]
    assert len(runs) == 2
    assert "signal:ak_signal" in h.order[runs[0] : runs[1]]  # it woke the workflow


PARENT = """
import autokitteh

def main(event):
    sid = autokitteh.start("main.py:child", {"n": 41})
    sig = autokitteh.next_signal(sid, timeout=120)
    return [sid, sig.payload["value"]]

def child(event):
    autokitteh.sleep(1)
    return event.data.n + 1
"""


def test_child_session_is_child_workflow(temporal: TemporalDev, tmp_path: Path) -> None:
    """`autokitteh.start` from a durable session: the child's workflow is a
    child workflow of the parent's (describe: parent id); its end comes back to
    the parent as `ak_signal` named after the child."""
    server = _server(temporal, tmp_path / "home", "child", "10m")
    try:
        _deploy(server, tmp_path, "parent", PARENT)
        sid = _start(server, "parent")
        state = _wait_state(server.db_file, sid, {"completed", "error"}, 60)
        _, error, value = _session(server.db_file, sid)
    finally:
        server.stop()
    assert state == "completed", error
    child_id, result = json.loads(value or "null")
    assert result == 42
    child = closed_history(temporal, child_id)
    assert child.status == "COMPLETED"
    assert child.parent_id == sid
    parent = closed_history(temporal, sid)
    assert parent.parent_id is None
    assert "start_child" in parent.updates
    assert any(n == "ak_signal" and args[1] == child_id for n, args in parent.signals)


@pytest.mark.parametrize("evicted", [False, True], ids=["live", "evicted"])
def test_kill9_worker_while_waiting_signal_once(
    temporal: TemporalDev, tmp_path: Path, evicted: bool
) -> None:
    """kill -9 the only worker while its session waits in `next_signal` (its
    runner alive, or evicted); the signal goes to the restarted worker: the
    session completes with it once, the journaled activity before the wait
    does not run again."""
    out = tmp_path / "out.txt"
    queue = "kill-evicted" if evicted else "kill"
    server = _server(temporal, tmp_path / "home", queue, "1s" if evicted else "10m")
    _deploy(server, tmp_path, "waiter", WAITER.format(out=str(out)))
    sid = _start_with(server, "main.py:main", True, timeout=300)
    _wait_file(out, ["before"])
    deadline = time.monotonic() + 30
    while "wait" not in history(temporal, sid).updates:  # it waits in the workflow
        assert time.monotonic() < deadline, "the wait never reached the workflow"
        time.sleep(0.1)
    if evicted:
        _wait_evicted(server.db_file, sid)
    server.kill9()
    server.start()
    try:
        _start_with(server, "main.py:send", False, target=sid, v=99)
        state = _wait_state(server.db_file, sid, {"completed", "error"}, 120)
        _, error, value = _session(server.db_file, sid)
        with sqlite3.connect(server.db_file) as conn:
            consumed = conn.execute(
                "SELECT consumed FROM signals WHERE session_id = ?", (sid,)
            ).fetchall()
    finally:
        server.stop()
    assert state == "completed", error
    assert value == "99"
    assert consumed == [(1,)]
    assert out.read_text().split() == ["before", "after"]  # none ran twice
    h = closed_history(temporal, sid)
    assert h.status == "COMPLETED"
    # delivered at least once (a rescan may deliver it again: dropped)
    assert [n for n, _ in h.signals].count("ak_signal") >= 1
    assert h.activities.count("mark") == 2  # each call recorded once
    assert h.activities.count("run_runner") >= 2  # run again after the kill
    if evicted:  # the restart did not wake it: its workflow resumed it
        assert not any(n == "wake" for n, _ in h.signals)


EVENTS = """
import autokitteh

OUT = {out!r}

@autokitteh.activity
def mark(text):
    with open(OUT, "a") as f:
        f.write(text + "\\n")
    return text

def main(event):
    sub = autokitteh.subscribe("hook", "data.url.path.endsWith('/yes')")
    mark("subscribed")
    ev = autokitteh.next_event(sub, timeout=120)
    mark("got")
    return ev.url.path

def on_hook(event):
    pass
"""

HOOK_MANIFEST = """version: v1
project:
  name: events
  triggers:
    - name: hook
      type: webhook
      call: main.py:on_hook
"""


def test_event_delivered_to_evicted_subscriber(
    temporal: TemporalDev, tmp_path: Path
) -> None:
    """`next_event` on a webhook trigger, past `evict_after`: only the event
    that passes the subscription's filter is delivered (`ak_event`), the
    workflow resumes its runner, which returns that event."""
    import urllib.request

    out = tmp_path / "out.txt"
    server = _server(temporal, tmp_path / "home", "events", "1s")
    try:
        proj = tmp_path / "events"
        proj.mkdir()
        (proj / "main.py").write_text(EVENTS.format(out=str(out)))
        (proj / "autokitteh.yaml").write_text(HOOK_MANIFEST)
        server.ak("deploy", "-m", str(proj / "autokitteh.yaml"), "-d", str(proj))
        sid = _start(server, "events")
        _wait_evicted(server.db_file, sid)
        with sqlite3.connect(server.db_file) as conn:
            (slug,) = conn.execute(
                "SELECT webhook_slug FROM triggers WHERE name = 'hook'"
            ).fetchone()
        for path in ("no", "yes", "yes"):
            req = urllib.request.Request(
                f"{server.url}/webhooks/{slug}/{path}", data=b"{}", method="POST"
            )
            urllib.request.urlopen(req, timeout=30).close()
        state = _wait_state(server.db_file, sid, {"completed", "error"}, 60)
        _, error, value = _session(server.db_file, sid)
        with sqlite3.connect(server.db_file) as conn:
            seqs = {
                json.loads(data)["url"]["path"].rsplit("/", 1)[1]: seq
                for seq, data in conn.execute(
                    "SELECT seq, data FROM events WHERE destination_id IN"
                    " (SELECT trigger_id FROM triggers WHERE name = 'hook')"
                    " ORDER BY seq DESC"
                )
            }  # path -> its first event's seq
    finally:
        server.stop()
    assert state == "completed", error
    assert value == json.dumps(f"/webhooks/{slug}/yes")
    assert out.read_text().split() == ["subscribed", "got"]
    h = closed_history(temporal, sid)
    assert h.status == "COMPLETED"
    delivered = [args[1] for name, args in h.signals if name == "ak_event"]
    assert seqs["yes"] in delivered
    assert seqs["no"] not in delivered  # filtered before delivery
    runs = [i for i, x in enumerate(h.order) if x == "activity:run_runner"]
    assert len(runs) == 2
    assert "signal:ak_event" in h.order[runs[0] : runs[1]]


LONG_CHILD = """
import autokitteh

def main(event):
    sid = autokitteh.start("main.py:child", {})
    autokitteh.next_signal("never", timeout=600)

def child(event):
    autokitteh.sleep(4)
    return "child done"
"""


def test_stop_evicted_parent_child_keeps_running(
    temporal: TemporalDev, tmp_path: Path
) -> None:
    """`ak session stop` of a parent evicted in `next_signal`: it ends STOPPED,
    its workflow CANCELED; its child workflow (parent-close policy ABANDON)
    runs on and completes, as a child session outlives its parent."""
    server = _server(temporal, tmp_path / "home", "stop", "1s")
    try:
        _deploy(server, tmp_path, "parent", LONG_CHILD)
        sid = _start(server, "parent")
        _wait_evicted(server.db_file, sid)
        with sqlite3.connect(server.db_file) as conn:
            (child_id,) = conn.execute(
                "SELECT session_id FROM sessions WHERE parent_session_id = ?", (sid,)
            ).fetchone()
        server.ak("session", "stop", sid, "--reason", "enough")
        state = _wait_state(server.db_file, sid, {"stopped", "completed", "error"}, 60)
        child_state = _wait_state(
            server.db_file, child_id, {"completed", "stopped", "error"}, 60
        )
        _, _, child_value = _session(server.db_file, child_id)
    finally:
        server.stop()
    assert state == "stopped"
    assert child_state == "completed" and child_value == '"child done"'
    assert closed_history(temporal, sid).status == "CANCELED"
    child = closed_history(temporal, child_id)
    assert child.status == "COMPLETED" and child.parent_id == sid


def test_kill9_after_workflow_answered_before_commit(
    temporal: TemporalDev, tmp_path: Path
) -> None:
    """The worst moment: the workflow has answered `next_signal` (it picked
    the signal) and `ak up` dies (AK_CHAOS plan) before the store consumed
    and journaled it. After the restart the signal is delivered again (a
    duplicate the workflow drops), the replayed call gets the same answer:
    the session completes with the value, consumed once, nothing re-run."""
    out = tmp_path / "out.txt"
    chaos = tmp_path / "chaos"
    chaos.mkdir()
    (chaos / "plan.json").write_text(json.dumps({"kill": "server", "before_seq": 2}))
    env = {
        **temporal.env("answered"),
        "AK_PYTHONRT__EVICT_AFTER": "10m",
        "AK_CHAOS": str(chaos),
    }
    server = AkServer(tmp_path / "home", mode="dev", env=env).start()
    _deploy(server, tmp_path, "waiter", WAITER.format(out=str(out)))
    sid = _start_with(server, "main.py:main", True, timeout=300)
    _wait_file(out, ["before"])
    _start_with(server, "main.py:send", False, target=sid, v=5)
    assert server.proc is not None
    server.proc.wait(60)  # it killed itself between the answer and the commit
    (chaos / "plan.json").unlink()
    trace = [json.loads(x) for x in (chaos / "trace.jsonl").read_text().splitlines()]
    assert {"sid": sid, "killed": "server", "before_seq": 2} in trace
    with sqlite3.connect(server.db_file) as conn:
        assert conn.execute(
            "SELECT consumed FROM signals WHERE session_id = ?", (sid,)
        ).fetchall() == [(0,)]  # answered in the workflow, not consumed yet
    server.start()
    try:
        state = _wait_state(server.db_file, sid, {"completed", "error"}, 120)
        _, error, value = _session(server.db_file, sid)
        with sqlite3.connect(server.db_file) as conn:
            consumed = conn.execute(
                "SELECT consumed FROM signals WHERE session_id = ?", (sid,)
            ).fetchall()
    finally:
        server.stop()
    assert state == "completed", error
    assert value == "5"
    assert consumed == [(1,)]
    assert out.read_text().split() == ["before", "after"]
    h = closed_history(temporal, sid)
    assert h.status == "COMPLETED"
    assert h.activities.count("mark") == 2


def test_stop_while_waiting_live(temporal: TemporalDev, tmp_path: Path) -> None:
    """`ak session stop` of a session waiting in the workflow with its runner
    alive: the runner stops, the session ends STOPPED, the workflow CANCELED."""
    out = tmp_path / "out.txt"
    server = _server(temporal, tmp_path / "home", "stoplive", "10m")
    try:
        _deploy(server, tmp_path, "waiter", WAITER.format(out=str(out)))
        sid = _start_with(server, "main.py:main", True, timeout=300)
        _wait_file(out, ["before"])
        server.ak("session", "stop", sid, "--reason", "no more")
        state = _wait_state(server.db_file, sid, {"stopped", "completed", "error"}, 60)
    finally:
        server.stop()
    assert state == "stopped"
    assert out.read_text().split() == ["before"]
    assert closed_history(temporal, sid).status == "CANCELED"
