"""Hostile handlers and killed runners, on one dev server whose runners have a
256 MB memory limit (`pythonrt.max_memory_per_workflow_mb`).

Each session must end in a final state with a clear reason, the server keeps
answering `/healthz` and RPCs, and new sessions still run.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults import procs
from tests.faults.conftest import Env, assert_store_sound, make_server

pytestmark = pytest.mark.faults

HANDLERS = r"""
import os
import sys
import threading
import time


def ok(event):
    print("ok")
    return "ok"


def sleeper(event):
    print(f"pid {os.getpid()}")
    while True:
        time.sleep(0.2)


def hang(event):
    print("hanging")
    while True:
        pass


def hog(event):
    print("hogging")
    chunks = []
    while True:
        chunks.append(b"x" * (8 * 1024 * 1024))


def print_chunks(event):
    line = "x" * (1024 * 1024)
    for i in range(100):
        print(line)
    return "printed"


def print_huge(event):
    print("y" * (100 * 1024 * 1024))
    return "printed"


def fork_exit(event):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    print(f"child {pid}")
    return "forked"


def fork_sys_exit(event):
    pid = os.fork()
    if pid == 0:
        sys.exit(0)
    os.waitpid(pid, 0)
    print(f"child {pid}")
    return "forked"


def fork_linger(event):
    pid = os.fork()
    if pid == 0:
        time.sleep(300)
        os._exit(0)
    print(f"child {pid}")
    return "forked"


def return_lock(event):
    return threading.Lock()


def return_generator(event):
    return (i for i in range(3))


class Grumpy:
    def __del__(self):
        raise RuntimeError("boom in __del__")


KEEP = []


def del_raises(event):
    g = Grumpy()
    del g
    KEEP.append(Grumpy())
    return "survived"


def close_all_fds(event):
    print("closing")
    os.closerange(3, 4096)
    return "closed"


def ignore_sigterm_hang(event):
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print("hanging")
    while True:
        pass


def lingering_thread(event):
    threading.Thread(target=lambda: time.sleep(300)).start()
    return "returned"


def lingering_subprocess(event):
    import subprocess

    p = subprocess.Popen(["sleep", "300"])
    print(f"child {p.pid}")
    return "returned"


def exit3(event):
    sys.exit(3)


def hard_exit0(event):
    os._exit(0)
"""

MANIFEST = """version: v2
project:
  name: hostile
"""


def _env(tmp: Path, *config: str) -> Iterator[Env]:
    server = make_server(tmp / "srv", "pythonrt.heartbeat_timeout=30s", *config).start()
    e = Env(server, tmp)
    e.deploy("hostile", {"autokitteh.yaml": MANIFEST, "handlers.py": HANDLERS})
    try:
        yield e
    finally:
        server.stop()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """Runners limited to 256 MB."""
    yield from _env(
        tmp_path_factory.mktemp("hostile"), "pythonrt.max_memory_per_workflow_mb=256"
    )


@pytest.fixture(scope="module")
def roomy_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """The default memory limit: room for a 100 MB string and its copies."""
    yield from _env(
        tmp_path_factory.mktemp("roomy"), "pythonrt.max_memory_per_workflow_mb=1024"
    )


@pytest.fixture(scope="module")
def hb_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """A short heartbeat timeout, to see frozen runners declared dead."""
    tmp = tmp_path_factory.mktemp("heartbeat")
    server = make_server(tmp / "srv", "pythonrt.heartbeat_timeout=2s").start()
    e = Env(server, tmp)
    e.deploy("hostile", {"autokitteh.yaml": MANIFEST, "handlers.py": HANDLERS})
    try:
        yield e
    finally:
        server.stop()


def run(
    env: Env, func: str, durable: bool = False, timeout: float = 60
) -> tuple[str, sqlite3.Row]:
    extra = ("-D",) if durable else ()
    sid = env.start("hostile", f"handlers.py:{func}", *extra)
    return sid, env.wait_final(sid, timeout)


def still_serving(env: Env) -> None:
    assert env.healthy()
    env.ok("project", "list")
    sid, row = run(env, "ok")
    assert row["state"] == "completed", row["error"]


# -- case 2: SIGKILL of runner processes ---------------------------------------


@pytest.mark.parametrize("durable", [False, True])
def test_sigkill_runners(env: Env, durable: bool) -> None:
    extra = ("-D",) if durable else ()
    sids = [env.start("hostile", "handlers.py:sleeper", *extra) for _ in range(3)]
    for sid in sids:
        env.wait_print(sid, "pid ")
    assert env.server.proc is not None
    runners = procs.runners(env.server.proc.pid)
    with env.db() as db:
        pids = {
            int(r[0].split()[1])
            for r in db.execute(
                "SELECT text FROM session_prints WHERE session_id IN (?, ?, ?)", sids
            )
        }
    assert pids <= {p.pid for p in runners}, (pids, runners)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    for sid in sids:
        row = env.wait_final(sid, 30)
        assert row["state"] == "error"
        assert "SIGKILL" in row["error"], row["error"]
    still_serving(env)
    assert not procs.zombies_under(env.server.proc.pid)


# -- case 3: hostile handlers --------------------------------------------------


def test_hang_then_force_stop(env: Env) -> None:
    sid = env.start("hostile", "handlers.py:hang")
    env.wait_print(sid, "hanging")
    env.ok("session", "stop", sid, "--force", "-r", "enough")
    row = env.wait_final(sid, 10)
    assert row["state"] == "stopped", row["error"]
    assert row["stop_reason"], "no stop reason"
    still_serving(env)


def test_memory_hog_hits_the_limit(env: Env) -> None:
    sid, row = run(env, "hog", timeout=60)
    assert row["state"] == "error"
    assert "memory" in row["error"].lower(), row["error"]
    still_serving(env)


@pytest.mark.parametrize("func", ["print_chunks", "print_huge"])
def test_print_100mb(roomy_env: Env, func: str) -> None:
    env = roomy_env
    sid, row = run(env, func, timeout=120)
    assert row["state"] == "completed", row["error"]
    with env.db() as db:
        sizes = [
            r[0]
            for r in db.execute(
                "SELECT length(text) FROM session_prints WHERE session_id = ?", (sid,)
            )
        ]
    assert sizes, "no print stored"
    assert max(sizes) < 1024 * 1024, f"a stored print is {max(sizes)} chars"
    still_serving(env)


@pytest.mark.parametrize("func", ["fork_exit", "fork_sys_exit", "fork_linger"])
def test_fork_in_handler(env: Env, func: str) -> None:
    sid, row = run(env, func)
    assert row["state"] == "completed", row["error"]
    with env.db() as db:
        texts = [
            r[0]
            for r in db.execute(
                "SELECT text FROM session_prints WHERE session_id = ? ORDER BY id",
                (sid,),
            )
        ]
    assert len([t for t in texts if t.startswith("child ")]) == 1, texts
    child = int(texts[-1].split()[1])
    deadline = time.monotonic() + 10
    while (p := procs.proc(child)) is not None and p.state != "Z":
        assert time.monotonic() < deadline, f"forked child {child} lingers: {p}"
        time.sleep(0.1)
    assert env.server.proc is not None
    assert not procs.zombies_under(env.server.proc.pid)
    still_serving(env)


@pytest.mark.parametrize(
    ("func", "type_name"), [("return_lock", "lock"), ("return_generator", "generator")]
)
def test_unpicklable_return_durable(env: Env, func: str, type_name: str) -> None:
    sid, row = run(env, func, durable=True, timeout=30)
    assert row["state"] == "error"
    assert type_name in row["error"], row["error"]
    still_serving(env)


def test_del_raises(env: Env) -> None:
    for durable in (False, True):
        sid, row = run(env, "del_raises", durable=durable, timeout=30)
        assert row["state"] in ("completed", "error", "stopped")
        assert row["state"] == "completed" or row["error"]
    still_serving(env)


def test_sys_exit_3(env: Env) -> None:
    sid, row = run(env, "exit3")
    assert row["state"] == "error"
    assert "3" in row["error"], row["error"]
    still_serving(env)


def test_os_exit_0(env: Env) -> None:
    sid, row = run(env, "hard_exit0")
    assert row["state"] == "error"
    assert "exit code 0" in row["error"], row["error"]
    still_serving(env)


def test_close_all_fds(env: Env) -> None:
    """The handler closes the runner's socket: an error, not a hang."""
    sid, row = run(env, "close_all_fds", timeout=60)
    assert row["state"] == "error", row["return_value"]
    # runner/syscalls.py exits 3 when its session socket fails
    assert "exit code 3" in row["error"], row["error"]
    still_serving(env)


def test_ignore_sigterm_then_force_stop(env: Env) -> None:
    sid = env.start("hostile", "handlers.py:ignore_sigterm_hang")
    env.wait_print(sid, "hanging")
    env.ok("session", "stop", sid, "--force")
    row = env.wait_final(sid, 10)
    assert row["state"] == "stopped", row["error"]
    still_serving(env)


def test_lingering_thread(env: Env) -> None:
    """A non-daemon thread still running when the handler returns."""
    sid, row = run(env, "lingering_thread", timeout=30)
    assert row["state"] == "completed", row["error"]
    still_serving(env)


def test_lingering_subprocess(env: Env) -> None:
    sid, row = run(env, "lingering_subprocess", timeout=30)
    assert row["state"] == "completed", row["error"]
    with env.db() as db:
        text = db.execute(
            "SELECT text FROM session_prints WHERE session_id = ?", (sid,)
        ).fetchone()[0]
    child = int(text.split()[1])
    deadline = time.monotonic() + 10
    while (p := procs.proc(child)) is not None and p.state != "Z":
        assert time.monotonic() < deadline, f"subprocess {child} outlived its session"
        time.sleep(0.1)
    still_serving(env)


def test_sigkill_zygote(env: Env) -> None:
    """The zygote dies under running sessions: they end, new ones run."""
    sids = [env.start("hostile", "handlers.py:sleeper") for _ in range(2)]
    for sid in sids:
        env.wait_print(sid, "pid ")
    assert env.server.proc is not None
    zygotes = procs.zygotes(env.server.proc.pid)
    assert zygotes
    for z in zygotes:
        os.kill(z.pid, signal.SIGKILL)
    still_serving(env)
    for sid in sids:
        env.ok("session", "stop", sid, "--force")
        row = env.wait_final(sid, 30)
        assert row["state"] in ("error", "stopped"), row["state"]
    assert not procs.zombies_under(env.server.proc.pid)


def test_sigstop_runner(hb_env: Env) -> None:
    """A frozen runner (SIGSTOP) stops heartbeating: ERROR saying so, and the
    process is gone."""
    env = hb_env
    sid = env.start("hostile", "handlers.py:sleeper")
    env.wait_print(sid, "pid ")
    with env.db() as db:
        text = db.execute(
            "SELECT text FROM session_prints WHERE session_id = ?", (sid,)
        ).fetchone()[0]
    pid = int(text.split()[1])
    os.kill(pid, signal.SIGSTOP)
    row = env.wait_final(sid, 60)
    assert row["state"] == "error"
    assert "heartbeat" in row["error"], row["error"]
    deadline = time.monotonic() + 10
    while (p := procs.proc(pid)) is not None and p.state != "Z":
        assert time.monotonic() < deadline, f"frozen runner {pid} left behind: {p}"
        time.sleep(0.1)
    still_serving(env)
    assert env.server.proc is not None
    assert_store_sound(env.server.db_file)


def test_zz_store_sound(env: Env) -> None:
    """Last in the module: everything above settled into final states."""
    assert env.server.proc is not None
    assert_store_sound(env.server.db_file)
