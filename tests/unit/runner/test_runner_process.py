"""Process-level behaviour: exits, crashes, kills, heartbeats, syscalls, output."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from .helpers import FakeHost, make_pool, make_spec, run_files, run_spec, write_files


@pytest.mark.parametrize(
    ("code", "state"), [("0", "completed"), ("None", "completed"), ("3", "error")]
)
def test_sys_exit(tmp_path: Path, code: str, state: str) -> None:
    files = {"main.py": f"import sys\ndef main(event):\n    sys.exit({code})\n"}
    outcome, _ = run_files(tmp_path, files)
    assert outcome.state == state
    if state == "error":
        assert outcome.error.startswith("error: SystemExit(3)")


def test_uncaught_exception_text(tmp_path: Path) -> None:
    files = {
        "main.py": """
            class X(Exception):
                pass

            def main(event):
                helper()

            def helper():
                raise X(1, 2)
        """
    }
    outcome, _ = run_files(tmp_path, files)
    assert outcome.state == "error"
    lines = outcome.error.splitlines()
    assert lines[0] == "error: X(1, 2)"
    assert lines[1] == ""
    assert lines[2] == "Traceback (most recent call last):"
    assert 'main.py", line 6, in main' in outcome.error
    assert 'main.py", line 9, in helper' in outcome.error
    assert lines[-1] == "main.X: (1, 2)"
    assert "runner/" not in outcome.error


def test_missing_module_banner(tmp_path: Path) -> None:
    files = {"main.py": "import no_such_module_xyz\ndef main(event):\n    pass\n"}
    outcome, _ = run_files(tmp_path, files)
    assert outcome.state == "error"
    assert "requirements.txt" in outcome.error
    assert "error: ModuleNotFoundError(\"No module named 'no_such_module_xyz'\")" in (
        outcome.error
    )
    assert 'main.py", line 1, in <module>' in outcome.error


def test_entry_point_forms(tmp_path: Path) -> None:
    files = {"main.py": "def main(event):\n    return event.data.x\n"}
    event = {"data": {"x": 5}, "event_id": "evt_1", "event_type": "get"}
    outcome, _ = run_files(tmp_path / "a", files, "main.py main", event=event)
    assert outcome.value == 5
    outcome, _ = run_files(tmp_path / "b", files, "main.py:nope")
    assert outcome.state == "error"
    assert "function 'nope' not found" in outcome.error


def test_event_and_webhook_body(tmp_path: Path) -> None:
    files = {
        "main.py": """
            def main(event):
                print(event)
                return [event["data"]["body"]["text"], repr(event.data.body.bytes),
                        event.event_id]
        """
    }
    event = {
        "data": {"body": {"bytes": "aGk=", "text": "hi"}},
        "event_id": "evt_1",
        "event_type": "post",
    }
    outcome, host = run_files(tmp_path, files, event=event)
    assert outcome.state == "completed", outcome.error
    assert outcome.value == ["hi", "b'hi'", "evt_1"]
    assert host.texts == [
        "Event(data={'body': {'bytes': b'hi', 'text': 'hi'}}, event_id='evt_1', "
        "event_type='post')"
    ]


def test_huge_print_is_truncated(tmp_path: Path) -> None:
    files = {"main.py": "def main(event):\n    print('x' * 20_000_000)\n    return 1\n"}
    outcome, host = run_files(tmp_path, files)
    assert outcome.state == "completed", outcome.error
    (text,) = host.texts
    assert len(text) < 70_000
    assert "print truncated" in text


def test_print_to_file_object_is_captured_and_written(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import io
            def main(event):
                buf = io.StringIO()
                print("into buffer", file=buf)
                return buf.getvalue()
        """
    }
    outcome, host = run_files(tmp_path, files)
    assert outcome.value == "into buffer\n"
    assert host.texts == ["into buffer"]


def test_syscalls_round_trip(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import autokitteh
            from autokitteh import AutoKittehError

            def main(event):
                autokitteh.set_value("k", {"a": (1, 2)})
                got = autokitteh.get_value("k")
                autokitteh.store["k2"] = 3
                try:
                    autokitteh.subscribe("meow")
                except AutoKittehError as e:
                    print(e)
                return [got, sorted(autokitteh.store), autokitteh.is_deployment_active(),
                        autokitteh.start("child.py:run", {"x": 1})]
        """
    }
    outcome, host = run_files(tmp_path, files, durable=True)
    assert outcome.state == "completed", outcome.error
    assert outcome.value == [{"a": [1, 2]}, ["k", "k2"], True, "ses_child"]
    assert host.texts == ['subscribe: source "meow" not found']
    ops = [(seq, op) for seq, op, _ in host.syscalls]
    assert ops == [
        # sorted(store) lists the keys twice (__len__ as a length hint, __iter__).
        (1, "store"),
        (2, "store"),
        (3, "store"),
        (4, "subscribe"),
        (5, "store"),
        (6, "store"),
        (None, "is_deployment_active"),
        (7, "start"),
    ]
    # Replay answers journaled syscalls locally, errors included.
    outcome2, host2 = run_files(
        tmp_path / "r",
        {"main.py": files["main.py"]},
        durable=True,
        journal=host.journal,
    )
    assert outcome2.value == outcome.value
    assert [op for _, op, _ in host2.syscalls] == ["is_deployment_active"]
    assert host2.texts == host.texts


def test_next_event_and_signal(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import autokitteh
            def main(event):
                sub = autokitteh.subscribe("webhook", "data.x > 1")
                ev = autokitteh.next_event(sub, timeout=5)
                sig = autokitteh.next_signal("go")
                return [ev.x, ev.body.bytes.decode(), sig.name, sig.payload]
        """
    }
    host = FakeHost()

    async def next_event(args):
        assert args == {"subscription_ids": ["sub_1"], "timeout": 5.0}
        await asyncio.sleep(0.05)
        return {
            "data": {"x": 2, "body": {"bytes": "aGk="}},
            "event_id": "e",
            "event_type": "t",
        }

    async def next_signal(args):
        return {"name": "go", "payload": {"p": 1}}

    host.handlers = {"next_event": next_event, "next_signal": next_signal}
    outcome, _ = run_files(tmp_path, files, host=host, durable=True)
    assert outcome.state == "completed", outcome.error
    assert outcome.value == [2, "hi", "go", {"p": 1}]


def test_env_and_cwd(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import os, sys
            import autokitteh
            def main(event):
                return [os.environ.get("MY_VAR"), os.getcwd() == os.path.dirname(__file__),
                        autokitteh.get_webhook_url("hook"), "runner" in sys.modules]
        """
    }
    env = {"MY_VAR": "v", "hook__webhook_url": "http://x/webhooks/abc"}
    outcome, _ = run_files(tmp_path, files, env=env)
    assert outcome.value == ["v", True, "http://x/webhooks/abc", True]


def test_user_files_named_like_runner_modules(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import loader, call, protocol
            def main(event):
                return [loader.X, call.Y, protocol.Z]
        """,
        "loader.py": "X = 1\n",
        "call.py": "Y = 2\n",
        "protocol.py": "Z = 3\n",
    }
    outcome, _ = run_files(tmp_path, files, durable=True)
    assert outcome.value == [1, 2, 3], outcome.error


def test_runner_sigkill_is_an_error(tmp_path: Path) -> None:
    code = write_files(
        tmp_path, {"main.py": "import time\ndef main(event):\n    time.sleep(30)\n"}
    )

    async def go() -> None:
        pool = make_pool(tmp_path)
        try:
            handle = await pool.start(make_spec(code), FakeHost())
            await asyncio.sleep(0.2)
            os.kill(handle.pid, signal.SIGKILL)
            outcome = await asyncio.wait_for(handle.wait(), 10)
            assert outcome.state == "error"
            assert outcome.error == "runner process exited with signal 9 (SIGKILL)"
        finally:
            await pool.close()

    asyncio.run(go())


def test_exit_code_of_crashed_runner(tmp_path: Path) -> None:
    files = {"main.py": "import os\ndef main(event):\n    os._exit(7)\n"}
    outcome, _ = run_files(tmp_path, files)
    assert outcome.state == "error"
    assert outcome.error == "runner process exited with exit code 7"


def test_force_stop_infinite_loop(tmp_path: Path) -> None:
    code = write_files(
        tmp_path, {"main.py": "def main(event):\n    while True:\n        pass\n"}
    )

    async def go() -> None:
        pool = make_pool(tmp_path)
        try:
            handle = await pool.start(make_spec(code), FakeHost())
            await asyncio.sleep(0.2)
            await handle.stop("killed by user", force=True)
            outcome = await asyncio.wait_for(handle.wait(), 10)
            assert outcome.state == "stopped"
            assert outcome.reason == "killed by user"
            with pytest.raises(ProcessLookupError):
                for _ in range(100):
                    os.kill(handle.pid, 0)
                    time.sleep(0.01)
        finally:
            await pool.close()

    asyncio.run(go())


def test_missed_heartbeats(tmp_path: Path) -> None:
    code = write_files(
        tmp_path, {"main.py": "import time\ndef main(event):\n    time.sleep(30)\n"}
    )

    async def go() -> None:
        pool = make_pool(tmp_path, heartbeat_timeout=0.8)
        try:
            handle = await pool.start(make_spec(code), FakeHost())
            await asyncio.sleep(0.2)
            os.kill(handle.pid, signal.SIGSTOP)
            outcome = await asyncio.wait_for(handle.wait(), 10)
            assert outcome.state == "error"
            assert "no heartbeat" in outcome.error
        finally:
            await pool.close()

    asyncio.run(go())


def test_cold_start_path(tmp_path: Path) -> None:
    files = {"main.py": "print('cold')\ndef main(event):\n    return 'ok'\n"}
    log = tmp_path / "runner.log"
    outcome, host = run_files(tmp_path, files, use_zygote=False, log_path=str(log))
    assert outcome.state == "completed", outcome.error
    assert outcome.value == "ok"
    assert host.texts == ["cold"]
    assert "cold" in log.read_text()


def test_zygote_spawn_latency(tmp_path: Path) -> None:
    code = write_files(tmp_path, {"main.py": "def main(event):\n    return 1\n"})

    async def go() -> None:
        pool = make_pool(tmp_path)
        try:
            await run_spec(pool, make_spec(code))  # warm the zygote
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                outcome, _ = await run_spec(pool, make_spec(code))
                times.append(time.perf_counter() - t0)
                assert outcome.value == 1
            print(f"zygote session round trip: min {min(times) * 1000:.1f} ms")
        finally:
            await pool.close()

    asyncio.run(go())


def test_orphan_runner_exits_when_server_goes_away(tmp_path: Path) -> None:
    code = write_files(
        tmp_path, {"main.py": "import time\ndef main(event):\n    time.sleep(30)\n"}
    )

    async def go() -> None:
        pool = make_pool(tmp_path)
        try:
            handle = await pool.start(make_spec(code), FakeHost())
            await asyncio.sleep(0.2)
            assert handle._writer is not None
            handle._writer.transport.abort()  # the "server" side vanishes
            outcome = await asyncio.wait_for(handle.wait(), 10)
            assert outcome.state == "error"
            assert outcome.error == "runner process exited with exit code 3"
        finally:
            await pool.close()

    asyncio.run(go())


def test_zygote_is_restarted_after_dying(tmp_path: Path) -> None:
    code = write_files(tmp_path, {"main.py": "def main(event):\n    return 'ok'\n"})

    async def go() -> None:
        pool = make_pool(tmp_path)
        try:
            outcome, _ = await run_spec(pool, make_spec(code))
            assert outcome.value == "ok"
            (zygote,) = pool._zygotes.values()
            assert zygote.proc is not None
            zygote.proc.kill()
            await zygote.proc.wait()
            await asyncio.sleep(0.1)
            outcome, _ = await run_spec(pool, make_spec(code))
            assert outcome.value == "ok"
            (zygote2,) = pool._zygotes.values()
            assert zygote2 is not zygote
        finally:
            await pool.close()

    asyncio.run(go())


THREADED_SYSCALLS = """
import threading

import autokitteh


@autokitteh.activity
def double(i):
    return 2 * i


def main(event):
    errors = []

    def worker(n):
        try:
            for j in range(20):
                key = f"k{n}-{j}"
                if autokitteh.get_value(key) != key:
                    errors.append(key)
        except BaseException as e:
            errors.append(repr(e))

    with autokitteh.inhibit_activities():
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
    total = 0
    for i in range(200):
        total += double(i)
    with autokitteh.inhibit_activities():
        for t in threads:
            t.join()
    return [total, errors]
"""


def test_threads_waiting_together(tmp_path: Path) -> None:
    """The thread that waits for the server reads the socket for all: syscall
    results for other threads (out of order) and the workflow's acks all arrive."""
    import random

    host = FakeHost()

    async def slow_echo(args: dict[str, object]) -> object:
        await asyncio.sleep(random.random() * 0.005)
        return args["key"]

    host.handlers["store"] = slow_echo
    outcome, _ = run_files(
        tmp_path, {"main.py": THREADED_SYSCALLS}, durable=True, host=host
    )
    assert outcome.state == "completed", outcome.error
    assert outcome.value == [sum(2 * i for i in range(200)), []]
    assert [e.name for e in host.journal].count("double") == 200
