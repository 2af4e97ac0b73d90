"""`engine: temporal`: durable sessions as Temporal workflows on a dev server.

One `temporal server start-dev` per module (tests/temporal_dev.py). The
testdata/sessions corpus runs in durable mode through the real `ak session
test` against an `ak up` with `engine: temporal` (the corpus machinery of
test_session_corpus.py); the other tests check stop, the session log's shape
and a kill -9 of the worker mid-run.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from akcli.sessiontest import applies
from tests.e2e.test_session_corpus import PLAIN, Corpus
from tests.server import AkServer
from tests.temporal_dev import TemporalDev

pytest.importorskip("temporalio")

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DURABLE = [p for p in PLAIN if applies(p.name, True)]


class DurableCorpus(Corpus):
    def submit(self, cases: list[Path]) -> None:
        for path in cases:
            self.runs[(path.name, "durable")] = self.pool.submit(
                self._run, path, "durable"
            )


@pytest.fixture(scope="module")
def corpus(
    temporal: TemporalDev, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Corpus]:
    home = tmp_path_factory.mktemp("corpus")
    env = {"AK_WORKER_PYTHON": sys.executable, **temporal.env("corpus")}
    server = AkServer(home, env=env).start()
    pool = ThreadPoolExecutor(2)
    try:
        c = DurableCorpus(server, pool, 2)
        c.submit(DURABLE)
        yield c
    finally:
        pool.shutdown(cancel_futures=True)
        server.stop()


@pytest.mark.parametrize("path", DURABLE, ids=lambda p: p.stem)
def test_corpus_durable_on_temporal(corpus: Corpus, path: Path) -> None:
    corpus.check(path, "durable")


def test_corpus_ran_as_workflows(corpus: Corpus, temporal: TemporalDev) -> None:
    """Every durable corpus session was a completed AkSession workflow (not
    the built-in engine): one closed workflow per case at least."""
    for path in DURABLE:
        corpus.runs[(path.name, "durable")].result(timeout=300)

    async def closed() -> dict[str, int]:
        from temporalio.client import Client

        client = await Client.connect(temporal.host_port)
        counts: dict[str, int] = {}
        query = 'WorkflowType="AkSession" AND TaskQueue="corpus"'
        async for wf in client.list_workflows(query):
            assert wf.status is not None
            counts[wf.status.name] = counts.get(wf.status.name, 0) + 1
        return counts

    deadline = time.monotonic() + 30
    while True:  # visibility is eventually consistent
        counts = asyncio.run(closed())
        if counts.get("COMPLETED", 0) >= len(DURABLE) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    print(f"corpus workflows: {counts}")
    assert counts.get("COMPLETED", 0) >= len(DURABLE), counts
    assert counts.get("RUNNING", 0) == 0, counts


# -- one project, sessions started by hand -----------------------------------


def _deploy(server: AkServer, tmp: Path, name: str, program: str) -> None:
    proj = tmp / name
    proj.mkdir()
    (proj / "main.py").write_text(program)
    (proj / "autokitteh.yaml").write_text(f"version: v1\nproject:\n  name: {name}\n")
    server.ak("deploy", "-m", str(proj / "autokitteh.yaml"), "-d", str(proj))


def _start(server: AkServer, project: str) -> str:
    out = server.ak("-j", "session", "start", "-o", project, "-p", "main.py:main", "-D")
    return str(json.loads(out)["session_id"])


def _wait_state(db_file: Path, sid: str, states: set[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(db_file) as conn:
            row = conn.execute(
                "SELECT state FROM sessions WHERE session_id = ?", (sid,)
            ).fetchone()
        state = str(row[0]) if row else ""
        if state in states:
            return state
        assert time.monotonic() < deadline, f"session {sid} is {state!r}"
        time.sleep(0.1)


def _session_end(db_file: Path, sid: str, timeout: float) -> tuple[str, str, str]:
    """Wait for ``sid`` to end: (state, error, return value)."""
    state = _wait_state(db_file, sid, {"completed", "error"}, timeout)
    with sqlite3.connect(db_file) as conn:
        error, value = conn.execute(
            "SELECT error, return_value FROM sessions WHERE session_id = ?", (sid,)
        ).fetchone()
    return state, str(error), str(value)


def _workflow(temporal: TemporalDev, sid: str) -> tuple[str, list[str]]:
    """The workflow's status and the names of the activities it scheduled
    (a local activity: ``local:`` + its name, from its marker)."""

    async def fetch() -> tuple[str, list[str]]:
        from temporalio.client import Client

        client = await Client.connect(temporal.host_port)
        handle = client.get_workflow_handle(sid)
        desc = await handle.describe()
        names = []
        async for ev in handle.fetch_history_events():
            if ev.HasField("activity_task_scheduled_event_attributes"):
                attrs = ev.activity_task_scheduled_event_attributes
                names.append(attrs.activity_type.name)
            if ev.HasField("marker_recorded_event_attributes"):
                names.append("local:" + _local_activity_type(ev))
        assert desc.status is not None
        return desc.status.name, names

    return asyncio.run(fetch())


def _workflow_end(temporal: TemporalDev, sid: str) -> tuple[str, list[str]]:
    """`_workflow` once the workflow has closed (it closes after the session's
    end is stored)."""
    deadline = time.monotonic() + 30
    while True:
        status, names = _workflow(temporal, sid)
        if status != "RUNNING" or time.monotonic() > deadline:
            return status, names
        time.sleep(0.2)


def _local_activity_type(ev: Any) -> str:
    """A local activity marker's activity type (its ``data`` payload)."""
    data = ev.marker_recorded_event_attributes.details.get("data")
    if data is None or not data.payloads:
        return ""
    return str(json.loads(data.payloads[0].data).get("activity_type", ""))


LOOP = """
import time
import autokitteh

@autokitteh.activity
def tick(i):
    return i

def main(event):
    i = 0
    while True:
        tick(i)
        i += 1
        time.sleep(0.2)
"""


def test_stop_cancels_workflow(temporal: TemporalDev, tmp_path: Path) -> None:
    server = AkServer(tmp_path / "home", mode="dev", env=temporal.env("stop")).start()
    try:
        _deploy(server, tmp_path, "loop", LOOP)
        sid = _start(server, "loop")
        _wait_state(server.db_file, sid, {"running"}, 30)
        time.sleep(1)
        server.ak("session", "stop", sid, "--reason", "enough")
        state = _wait_state(server.db_file, sid, {"stopped", "error", "completed"}, 60)
        assert state == "stopped"
        with sqlite3.connect(server.db_file) as conn:
            (reason,) = conn.execute(
                "SELECT stop_reason FROM sessions WHERE session_id = ?", (sid,)
            ).fetchone()
        assert reason == "enough"
        status, names = _workflow_end(temporal, sid)
        assert status == "CANCELED"
        assert "tick" in names
    finally:
        server.stop()


SHAPE = """
import autokitteh

@autokitteh.activity
def add(a, b):
    return a + b

def main(event):
    print("sum", add(1, 2))
    autokitteh.sleep(0.5)
    print("again", add(3, 4))
    return add(5, 6)
"""


def _log_shape(server: AkServer, sid: str) -> list[Any]:
    """`ak session log` records without times and ids: their kinds and fields."""
    out = server.ak("-j", "session", "log", sid, "-o", "asc", "--page-size", "500")
    shape = []
    for line in out.splitlines():
        rec = json.loads(line)
        rec.pop("t", None)
        rec.pop("timestamp", None)
        body = {k: v for k, v in rec.items() if k not in ("seq", "session_id")}
        shape.append(_strip_ids(body))
    return shape


def _strip_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _strip_ids(v)
            for k, v in value.items()
            if k not in ("run_id", "t", "timestamp", "wake_at")
        }
    if isinstance(value, list):
        return [_strip_ids(v) for v in value]
    return value


def test_session_log_shape_same_as_builtin(
    temporal: TemporalDev, tmp_path: Path
) -> None:
    shapes = {}
    for engine in ("builtin", "temporal"):
        env = temporal.env("shape") if engine == "temporal" else {}
        server = AkServer(tmp_path / engine, mode="dev", env=env).start()
        try:
            _deploy(server, tmp_path / engine, "shape", SHAPE)
            sid = _start(server, "shape")
            state = _wait_state(server.db_file, sid, {"completed", "error"}, 60)
            assert state == "completed"
            shapes[engine] = _log_shape(server, sid)
        finally:
            server.stop()
        if engine == "temporal":
            status, names = _workflow_end(temporal, sid)
            assert status == "COMPLETED"
            assert names.count("add") == 3
    assert shapes["temporal"] == shapes["builtin"]


STEPS = """
import time
import autokitteh

OUT = {out!r}

@autokitteh.activity
def step(i):
    with open(OUT, "a") as f:
        f.write(f"{{i}}\\n")
    time.sleep(0.1)
    return i * i

def main(event):
    total = 0
    for i in range(30):
        total += step(i)
        print(f"done {{i}}")
    return total
"""

KILLS = 3


def test_kill9_worker_no_recorded_activity_reruns(
    temporal: TemporalDev, tmp_path: Path
) -> None:
    """kill -9 the only worker (`ak up`) mid-run, restart it: the workflow's
    run_runner activity times out, runs again on the new worker, the runner
    replays; the session completes and no recorded call ran again."""
    out = tmp_path / "activities.txt"
    server = AkServer(tmp_path / "home", mode="dev", env=temporal.env("kill")).start()
    _deploy(server, tmp_path, "steps", STEPS.format(out=str(out)))
    sid = _start(server, "steps")
    kills = 0
    for _ in range(KILLS):
        _wait_lines(out, 5 * (kills + 1))
        server.kill9()
        kills += 1
        server.start()
    try:
        state = _wait_state(server.db_file, sid, {"completed", "error"}, 120)
        with sqlite3.connect(server.db_file) as conn:
            error, value = conn.execute(
                "SELECT error, return_value FROM sessions WHERE session_id = ?",
                (sid,),
            ).fetchone()
            printed = [
                r[0]
                for r in conn.execute(
                    "SELECT text FROM session_prints WHERE session_id = ? ORDER BY id",
                    (sid,),
                )
            ]
    finally:
        server.stop()
    assert state == "completed", error
    assert value == str(sum(i * i for i in range(30)))
    assert printed == [f"done {i}" for i in range(30)]
    lines = [int(x) for x in out.read_text().split()]
    assert sorted(set(lines)) == list(range(30))
    assert lines == sorted(lines), "activities ran out of order"
    repeats = len(lines) - 30
    print(f"{kills} kills, {repeats} activities re-run (in flight at a kill)")
    assert repeats <= kills, f"{repeats} re-runs for {kills} kills"
    status, names = _workflow_end(temporal, sid)
    assert status == "COMPLETED"
    assert names.count("step") == 30  # each call recorded once
    assert names.count("run_runner") >= kills + 1  # run again after each kill


def _wait_lines(path: Path, n: int) -> None:
    deadline = time.monotonic() + 60
    while not path.exists() or len(path.read_text().split()) < n:
        assert time.monotonic() < deadline, f"fewer than {n} activities ran"
        time.sleep(0.02)


def test_local_activities_and_nondurable(temporal: TemporalDev, tmp_path: Path) -> None:
    """`temporal.local_activities: true` records calls as local activities; a
    non-durable session runs on the built-in engine (no workflow)."""
    env = {**temporal.env("local"), "AK_TEMPORAL__LOCAL_ACTIVITIES": "true"}
    server = AkServer(tmp_path / "home", mode="dev", env=env).start()
    try:
        _deploy(server, tmp_path, "shape", SHAPE)
        sid = _start(server, "shape")
        assert _wait_state(server.db_file, sid, {"completed", "error"}, 60) == (
            "completed"
        )
        out = server.ak("-j", "session", "start", "-o", "shape", "-p", "main.py:main")
        plain = str(json.loads(out)["session_id"])
        assert _wait_state(server.db_file, plain, {"completed", "error"}, 60) == (
            "completed"
        )
    finally:
        server.stop()
    status, names = _workflow_end(temporal, sid)
    assert status == "COMPLETED"
    assert names.count("local:add") == 3 and "add" not in names
    with pytest.raises(Exception, match="not found"):
        _workflow(temporal, plain)


PARENT = """
import autokitteh

@autokitteh.activity
def note(text):
    return text

def main(event):
    sid = autokitteh.start("main.py:child", {"n": 41})
    note("started")
    sig = autokitteh.next_signal(sid, timeout=60)
    note("woken")
    return sig.payload["value"]

def child(event):
    autokitteh.sleep(3)
    return event.data.n + 1
"""


def test_evicted_wait_wakes_workflow(temporal: TemporalDev, tmp_path: Path) -> None:
    """A parent waiting on its child's signal past `pythonrt.evict_after` gives
    up its runner (run_runner returns, the workflow waits); the child's end
    wakes it (signal `wake`), a new run_runner replays and completes."""
    env = {**temporal.env("evict"), "AK_PYTHONRT__EVICT_AFTER": "1s"}
    server = AkServer(tmp_path / "home", mode="dev", env=env).start()
    try:
        _deploy(server, tmp_path, "parent", PARENT)
        sid = _start(server, "parent")
        state, error, value = _session_end(server.db_file, sid, 60)
    finally:
        server.stop()
    assert state == "completed", error
    assert value == "42"
    status, names = _workflow_end(temporal, sid)
    assert status == "COMPLETED"
    assert names.count("run_runner") == 2  # evicted once, woken once
    assert names.count("note") == 2


def test_kill9_between_commit_and_record(temporal: TemporalDev, tmp_path: Path) -> None:
    """The worst moment: `ak up` is killed (AK_CHAOS plan) right after a call's
    journal commit, before its `record_call` update reached the workflow. After
    the restart the call is not run again (the store answers the replay) and
    the workflow still records it once: every call is in the history."""
    out = tmp_path / "activities.txt"
    chaos = tmp_path / "chaos"
    chaos.mkdir()
    (chaos / "plan.json").write_text(json.dumps({"kill": "server", "after_seq": 10}))
    env = {**temporal.env("chaos"), "AK_CHAOS": str(chaos)}
    server = AkServer(tmp_path / "home", mode="dev", env=env)
    server.start()
    _deploy(server, tmp_path, "steps", STEPS.format(out=str(out)))
    sid = _start(server, "steps")
    assert server.proc is not None
    server.proc.wait(60)  # it killed itself after committing seq 10
    (chaos / "plan.json").unlink()
    trace = [json.loads(x) for x in (chaos / "trace.jsonl").read_text().splitlines()]
    assert {"sid": sid, "killed": "server", "after_seq": 10} in trace
    server.start()
    try:
        state = _wait_state(server.db_file, sid, {"completed", "error"}, 120)
    finally:
        server.stop()
    assert state == "completed"
    assert [int(x) for x in out.read_text().split()] == list(range(30))  # none twice
    status, names = _workflow_end(temporal, sid)
    assert status == "COMPLETED"
    assert names.count("step") == 30
