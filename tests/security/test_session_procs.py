"""Issue 11 item 9 (processes): a session's processes end with the session,
and a graceful stop does not wait out the grace when the handler sleeps.

A daemon started with ``start_new_session=True`` left the runner's process
group, so killing the group missed it and it outlived its session. The
runner (and the zygote) are now child subreapers: every descendant stays
theirs and is ended when the session ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator

import pytest

from tests.faults import procs
from tests.faults.conftest import Env
from tests.security.conftest import make_server, project

pytestmark = pytest.mark.faults

PROGRAM = r"""
import subprocess
import sys
import time

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def daemon(event):
    p = subprocess.Popen(SLEEPER, start_new_session=True)
    print(f"daemon {p.pid}")
    return "started"


def daemon_then_wait(event):
    p = subprocess.Popen(SLEEPER, start_new_session=True)
    print(f"daemon {p.pid}")
    time.sleep(120)


def grandchild(event):
    # The middle process exits at once: the daemon is an orphan of the runner.
    code = (
        "import subprocess; p = subprocess.Popen(%r, start_new_session=True,"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(p.pid)"
    )
    out = subprocess.run([sys.executable, "-c", code % SLEEPER], capture_output=True, text=True)
    print(f"daemon {out.stdout.strip()}")
    return "started"


def nap(event):
    print("napping")
    time.sleep(120)


def chatty(event):
    while True:  # a stop may land in print's socket code: it is sent again
        print("napping")
        time.sleep(0.01)
"""

MANIFEST = "version: v2\nproject:\n  name: procs\n"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    tmp = tmp_path_factory.mktemp("procs")
    # A grace far above the tests' waits: a stop that waits it out fails them.
    server = make_server(tmp / "srv", "pythonrt.stop_grace=300s").start()
    e = Env(server, tmp)
    files = project("procs", PROGRAM)
    e.deploy("procs", files)
    try:
        yield e
    finally:
        server.stop()


def _daemon_pid(env: Env, sid: str) -> int:
    with env.db() as db:
        for (text,) in db.execute(
            "SELECT text FROM session_prints WHERE session_id = ?", (sid,)
        ):
            if text.startswith("daemon "):
                return int(text.split()[1])
    raise AssertionError(f"{sid} printed no daemon pid")


def _assert_gone(pid: int) -> None:
    try:
        deadline = time.monotonic() + 10
        while (p := procs.proc(pid)) is not None and p.state != "Z":
            assert time.monotonic() < deadline, f"process {pid} outlived its session"
            time.sleep(0.1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("func", ["daemon", "grandchild"])
def test_daemon_ends_with_its_session(env: Env, func: str) -> None:
    sid = env.start("procs", f"program.py:{func}")
    row = env.wait_final(sid)
    assert row["state"] == "completed", row["error"]
    _assert_gone(_daemon_pid(env, sid))


def test_daemon_ends_when_its_session_is_killed(env: Env) -> None:
    sid = env.start("procs", "program.py:daemon_then_wait")
    env.wait_print(sid, "daemon ")
    pid = _daemon_pid(env, sid)
    env.ok("session", "stop", sid, "--force")
    assert env.wait_final(sid)["state"] == "stopped"
    _assert_gone(pid)


@pytest.mark.parametrize("func", ["nap", "chatty"])
def test_graceful_stop_interrupts_a_sleeping_non_durable_session(
    env: Env, func: str
) -> None:
    sid = env.start("procs", f"program.py:{func}")
    env.wait_print(sid, "napping")
    env.ok("session", "stop", sid)
    row = env.wait_final(sid, timeout=30)  # the grace is 300 s
    assert row["state"] == "stopped", dict(row)
    assert row["stop_reason"], dict(row)
