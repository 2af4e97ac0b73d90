"""Durable sessions: activities journaled, replayed, errors, sleep, stop."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from akcli.engine.runner_types import JournalEntry

from .helpers import FakeHost, make_pool, make_spec, run_files, write_files

COUNTER = """
    import random
    import time

    def main(event):
        print("start")
        x = random.randint(1, 10**9)
        print("got", x)
        t = time.time()
        return [x, t]
"""


def test_activities_journaled_then_replayed(tmp_path: Path) -> None:
    files = {"main.py": COUNTER}
    first, host = run_files(tmp_path / "a", files, durable=True)
    assert first.state == "completed", first.error
    assert [e.name for e in host.journal] == ["randint", "time"]
    assert [s[1] for s in host.starts] == ["randint", "time"]
    assert host.texts == ["start", f"got {first.value[0]}"]
    assert list(host.prints) == ["w:0:0", "w:1:0"]

    # Replay with the recorded journal: same result, functions not called,
    # same print keys (so the host stores nothing twice).
    replay_host = FakeHost()
    replay_host.prints = dict(host.prints)
    second, replay_host = run_files(
        tmp_path / "b", files, durable=True, journal=host.journal, host=replay_host
    )
    assert second.state == "completed", second.error
    assert second.value == first.value
    assert replay_host.starts == []
    assert replay_host.journal == []
    assert [k for k, _ in replay_host.print_log] == ["w:0:0", "w:1:0"]
    assert len(replay_host.prints) == 2


def test_partial_replay_continues_live(tmp_path: Path) -> None:
    first, host = run_files(tmp_path / "a", {"main.py": COUNTER}, durable=True)
    second, host2 = run_files(
        tmp_path / "b", {"main.py": COUNTER}, durable=True, journal=host.journal[:1]
    )
    assert second.state == "completed", second.error
    assert second.value[0] == first.value[0]
    assert [s[1] for s in host2.starts] == ["time"]
    assert [e.seq for e in host2.journal] == [2]


def test_non_determinism_error(tmp_path: Path) -> None:
    journal = [JournalEntry(1, "uuid4", "pickle", "", False)]
    outcome, _ = run_files(
        tmp_path, {"main.py": COUNTER}, durable=True, journal=journal
    )
    assert outcome.state == "error"
    assert "non-determinism" in outcome.error
    assert "'uuid4'" in outcome.error and "'randint'" in outcome.error


def test_non_durable_runs_plain(tmp_path: Path) -> None:
    outcome, host = run_files(tmp_path, {"main.py": COUNTER}, durable=False)
    assert outcome.state == "completed", outcome.error
    assert host.journal == [] and host.starts == []


def test_exceptions_keep_original_type(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import json, urllib.request

            class Custom(Exception):
                def __init__(self, a, b):
                    super().__init__(a)
                    self.b = b

            def main(event):
                try:
                    urllib.request.urlopen("http://[invalid")
                except ValueError as e:
                    print("caught", type(e).__name__)
                try:
                    json.loads("{")
                except json.JSONDecodeError:
                    print("caught json")
                import operator
                try:
                    raises()
                except Custom as e:
                    print("custom", e.args)
                return "ok"

            def raises():
                raise Custom(1, 2)
        """
    }
    outcome, host = run_files(tmp_path, files, durable=True)
    assert outcome.state == "completed", outcome.error
    assert host.texts == ["caught ValueError", "caught json", "custom (1,)"]
    assert [e.name for e in host.journal] == ["urlopen"]
    assert host.journal[0].is_error


def test_uncaught_activity_exception(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import os

            def main(event):
                os.listdir("/definitely/not/here")
        """
    }
    outcome, host = run_files(tmp_path, files, durable=True)
    assert outcome.state == "error"
    assert outcome.error.startswith("error: FileNotFoundError(2, ")
    assert "Traceback (most recent call last):" in outcome.error
    assert 'main.py", line 5, in main' in outcome.error
    assert "runner/call.py" not in outcome.error


def test_unpicklable_result_fails_session(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import threading

            def main(event):
                lock = threading.Lock()
                return "unreachable"
        """
    }
    outcome, _ = run_files(tmp_path, files, durable=True)
    assert outcome.state == "error"
    assert (
        "activity 'Lock'" in outcome.error
        or "activity 'allocate_lock'" in outcome.error
    )
    assert "lock" in outcome.error
    assert "@autokitteh.activity decorator" in outcome.error
    assert "cannot pickle" in outcome.error


def test_unpicklable_value_fine_inside_activity(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import threading
            import autokitteh

            @autokitteh.activity
            def work(n):
                lock = threading.Lock()
                with lock:
                    return n * 2

            def main(event):
                return work(21)
        """
    }
    outcome, host = run_files(tmp_path, files, durable=True)
    assert outcome.state == "completed", outcome.error
    assert outcome.value == 42
    assert [e.name for e in host.journal] == ["work"]


def test_durable_sleep(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import time
            import autokitteh

            def main(event):
                t0 = time.monotonic()
                time.sleep(0.2)
                autokitteh.sleep(0.1)
                return time.monotonic() - t0
        """
    }
    outcome, host = run_files(tmp_path, files, durable=True)
    assert outcome.state == "completed", outcome.error
    sleeps = [s for s in host.syscalls if s[1] == "sleep"]
    # seq 1 is time.monotonic (an activity), then the two durable sleeps.
    assert [(s[0], s[2]) for s in sleeps] == [
        (2, {"seconds": 0.2}),
        (3, {"seconds": 0.1}),
    ]
    assert outcome.value >= 0.29
    assert [e.name for e in host.journal] == [
        "monotonic",
        "sleep",
        "sleep",
        "monotonic",
    ]
    # Replay: the recorded wake_at (already past) returns at once, no syscall.
    past = [JournalEntry(e.seq, e.name, e.kind, e.value) for e in host.journal]
    outcome2, host2 = run_files(tmp_path / "r", files, durable=True, journal=past)
    assert outcome2.state == "completed", outcome2.error
    assert host2.syscalls == [] and host2.starts == []
    assert outcome2.value == outcome.value


def test_graceful_stop_at_activity_boundary(tmp_path: Path) -> None:
    code = write_files(
        tmp_path,
        {
            "main.py": """
                import time, random

                def main(event):
                    print("started")
                    while True:
                        random.random()
                        for _ in range(20000):
                            pass
            """
        },
    )

    async def go() -> None:
        pool = make_pool(tmp_path)
        try:
            host = FakeHost()
            handle = await pool.start(make_spec(code, durable=True), host)
            while not host.journal:
                await asyncio.sleep(0.01)
            await handle.stop("user asked", force=False)
            outcome = await asyncio.wait_for(handle.wait(), 10)
            assert outcome.state == "stopped"
            assert outcome.reason == "user asked"
        finally:
            await pool.close()

    asyncio.run(go())


def test_graceful_stop_during_sleep(tmp_path: Path) -> None:
    code = write_files(
        tmp_path,
        {"main.py": "import time\ndef main(event):\n    time.sleep(60)\n"},
    )

    async def go() -> None:
        pool = make_pool(tmp_path)
        try:
            host = FakeHost()
            handle = await pool.start(make_spec(code, durable=True), host)
            while not host.syscalls:
                await asyncio.sleep(0.01)
            t0 = time.monotonic()
            await handle.stop("enough", force=False)
            outcome = await asyncio.wait_for(handle.wait(), 10)
            assert outcome.state == "stopped" and outcome.reason == "enough"
            assert time.monotonic() - t0 < 5
        finally:
            await pool.close()

    asyncio.run(go())


def test_activity_rules_in_session(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import datetime, json, math, random, collections
            import autokitteh
            from autokitteh import activity, inhibit_activities, register_no_activity
            from helpers import local_helper
            from pkg.sub import Thing

            class Fetcher:
                def get(self):
                    return random.random()

            fetcher_obj = random.Random(5)
            register_no_activity([random.choice, fetcher_obj.random, collections.Counter])

            @inhibit_activities
            def inhibited():
                return random.random()

            @activity
            def whole(x):
                random.random()
                return x + 1

            def main(event):
                n = len(json.dumps({"a": math.sqrt(4)}))
                local_helper(2)
                Thing().value()
                Fetcher().get()
                random.choice([1, 2])
                fetcher_obj.random()
                collections.Counter("abc")
                inhibited()
                with inhibit_activities():
                    random.random()
                whole(1)
                datetime.datetime.now().isoformat()
                autokitteh.get_value("k")
                return n
        """,
        "helpers.py": """
            import uuid
            def local_helper(x):
                return str(uuid.uuid4())[:x]
        """,
        "pkg/__init__.py": "",
        "pkg/sub.py": """
            import os
            from .inner import twice
            class Thing:
                def value(self):
                    return twice(len(os.getcwd()))
        """,
        "pkg/inner.py": "def twice(x):\n    return 2 * x\n",
    }
    outcome, host = run_files(tmp_path, files, durable=True)
    assert outcome.state == "completed", outcome.error
    names = [s[1] for s in host.starts]
    assert names == ["uuid4", "getcwd", "random", "whole", "now"]
    # The store syscall took the next seq after the activities.
    assert [(s[0], s[1]) for s in host.syscalls] == [(6, "store")]


def test_async_handler_and_async_activity(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import asyncio, random
            import autokitteh

            @autokitteh.activity
            async def fetch(x):
                await asyncio.sleep(0.01)
                return x * random.randint(1, 1)

            async def main(event, session_id):
                a = await fetch(2)
                b, c = await asyncio.gather(fetch(3), fetch(4))
                return [a, b, c, session_id]
        """
    }
    outcome, host = run_files(tmp_path, files, durable=True, session_id="ses_abc")
    assert outcome.state == "completed", outcome.error
    assert outcome.value == [2, 3, 4, "ses_abc"]
    assert [e.name for e in host.journal] == ["fetch", "fetch", "fetch"]
    # Replay returns the same without running.
    outcome2, host2 = run_files(
        tmp_path / "r",
        {"main.py": files["main.py"]},
        durable=True,
        journal=host.journal,
        session_id="ses_abc",
    )
    assert outcome2.value == outcome.value and host2.starts == []


def test_prints_inside_activities_have_activity_keys(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import autokitteh

            @autokitteh.activity
            def act():
                print("in activity")
                print("again")

            def main(event):
                print("before")
                act()
                print("after")
        """
    }
    outcome, host = run_files(tmp_path, files, durable=True)
    assert outcome.state == "completed", outcome.error
    assert host.print_log == [
        ("w:0:0", "before"),
        ("a:1:0", "in activity"),
        ("a:1:1", "again"),
        ("w:1:0", "after"),
    ]


def test_unpicklable_exception_keeps_its_type(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import threading
            import autokitteh
            from errs import LockedError

            @autokitteh.activity
            def fail():
                raise LockedError("busy", threading.Lock())

            def main(event):
                try:
                    fail()
                except LockedError as e:
                    return [type(e).__name__, e.args[0], e.args[1]]
        """,
        "errs.py": """
            class LockedError(Exception):
                def __init__(self, msg, lock):
                    super().__init__(msg, lock)
                    self.lock = lock
        """,
    }
    outcome, host = run_files(tmp_path, files, durable=True)
    assert outcome.state == "completed", outcome.error
    assert outcome.value == ["LockedError", "busy", None]
    assert host.journal[0].is_error
