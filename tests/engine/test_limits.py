"""Runner resource limits and stop escalation, on a real engine and real runners.

* `pythonrt.max_memory_per_workflow_mb` is the session process's RLIMIT_AS: a
  handler that allocates without bound ends in ERROR (MemoryError), the server
  does not hang and later sessions are unaffected.
* `pythonrt.stop_grace`: a graceful stop that the user code does not honour (a
  non-durable handler that swallows the stop raised in its `time.sleep`)
  becomes a force stop.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from akcli.server.state import Server
from tests.engine.conftest import deploy, prints, run_with_engine, start, wait_final

HOG = """\
def main(event):
    print("allocating")
    hoard = []
    while True:
        hoard.append(bytearray(16 * 1024 * 1024))


def small(event):
    print("still fine", len(bytearray(8 * 1024 * 1024)))
"""


@pytest.mark.parametrize("durable", [False, True], ids=["nondurable", "durable"])
def test_memory_limit_ends_session_in_error(
    tmp_path: Path,
    worker_python: None,
    monkeypatch: pytest.MonkeyPatch,
    durable: bool,
) -> None:
    monkeypatch.setenv("AK_PYTHONRT__MAX_MEMORY_PER_WORKFLOW_MB", "256")

    async def body(srv: Server) -> None:
        ids = deploy(srv, {"main.py": HOG})
        t0 = time.monotonic()
        sid = start(srv, ids, "main.py:main", durable=durable)
        row = await wait_final(srv, sid, 30)
        assert row["state"] == "error", dict(row)
        assert "MemoryError" in row["error"], row["error"]
        assert "its limit is 256 MiB" in row["error"], row["error"]
        assert time.monotonic() - t0 < 20
        assert prints(srv, sid) == ["allocating"]
        # The runner pool still works (a fresh process per session).
        sid2 = start(srv, ids, "main.py:small", durable=durable)
        row2 = await wait_final(srv, sid2, 30)
        assert row2["state"] == "completed", dict(row2)
        assert prints(srv, sid2) == ["still fine 8388608"]

    run_with_engine(tmp_path, body)


def test_no_memory_limit_when_zero(
    tmp_path: Path, worker_python: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AK_PYTHONRT__MAX_MEMORY_PER_WORKFLOW_MB", "0")
    code = (
        "import resource\n"
        "def main(event):\n"
        "    print(resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY)\n"
    )

    async def body(srv: Server) -> None:
        ids = deploy(srv, {"main.py": code})
        sid = start(srv, ids, "main.py:main", durable=False)
        row = await wait_final(srv, sid, 30)
        assert row["state"] == "completed", dict(row)
        assert prints(srv, sid) == ["True"]

    run_with_engine(tmp_path, body)


def test_default_memory_limit_is_applied(tmp_path: Path, worker_python: None) -> None:
    code = (
        "import resource\n"
        "def main(event):\n"
        "    print(resource.getrlimit(resource.RLIMIT_AS)[0] // (1024 * 1024))\n"
    )

    async def body(srv: Server) -> None:
        ids = deploy(srv, {"main.py": code})
        sid = start(srv, ids, "main.py:main", durable=True)
        row = await wait_final(srv, sid, 30)
        assert row["state"] == "completed", dict(row)
        assert prints(srv, sid) == ["512"]

    run_with_engine(tmp_path, body)


SLEEPER = """\
import time


def main(event):
    print("sleeping")
    time.sleep(60)
    print("woke up")
"""


STUBBORN = """\
import time


def main(event):
    print("sleeping")
    while True:
        try:
            time.sleep(60)
        except BaseException:  # swallows the graceful stop
            pass
"""


async def _wait_print(srv: Server, sid: str, text: str) -> None:
    deadline = time.monotonic() + 10
    while text not in prints(srv, sid):
        assert time.monotonic() < deadline, prints(srv, sid)
        await asyncio.sleep(0.02)


def test_graceful_stop_is_forced_after_grace(
    tmp_path: Path, worker_python: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AK_PYTHONRT__STOP_GRACE", "500ms")

    async def body(srv: Server) -> None:
        ids = deploy(srv, {"main.py": STUBBORN})
        sid = start(srv, ids, "main.py:main", durable=False)
        await _wait_print(srv, sid, "sleeping")
        t0 = time.monotonic()
        await srv.engine.stop_session(sid, "enough", force=False)
        row = await wait_final(srv, sid, 10)
        took = time.monotonic() - t0
        assert row["state"] == "stopped", dict(row)
        assert row["stop_reason"] == "enough"
        assert 0.4 < took < 5, took
        assert prints(srv, sid) == ["sleeping"]

    run_with_engine(tmp_path, body)


def test_graceful_stop_of_durable_sleep_needs_no_grace(
    tmp_path: Path, worker_python: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AK_PYTHONRT__STOP_GRACE", "30s")

    async def body(srv: Server) -> None:
        ids = deploy(srv, {"main.py": SLEEPER})
        sid = start(srv, ids, "main.py:main", durable=True)
        await _wait_print(srv, sid, "sleeping")
        t0 = time.monotonic()
        await srv.engine.stop_session(sid, "enough", force=False)
        row = await wait_final(srv, sid, 10)
        assert row["state"] == "stopped", dict(row)
        assert row["stop_reason"] == "enough"
        assert time.monotonic() - t0 < 5

    run_with_engine(tmp_path, body)
