"""Durable retries, timeouts and parallel activities in real runner processes
(runner/retrying.py): one journal entry per attempt, replay, project default,
abandoned attempts, async activities, gather's failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from akcli.engine.runner_types import ActivityCall, Attempt, JournalEntry

from .helpers import FakeHost, run_files


class RetryHost(FakeHost):
    """A FakeHost that also records the attempt info of retried activities."""

    def __init__(self) -> None:
        super().__init__()
        self.attempts: list[tuple[int, Attempt | None]] = []

    def on_activity_start(
        self,
        seq: int,
        name: str,
        args: list[str],
        kwargs: dict[str, str],
        t: float | None = None,
        attempt: Attempt | None = None,
    ) -> None:
        super().on_activity_start(seq, name, args, kwargs, t)

    def on_activity_done(
        self,
        entry: JournalEntry,
        call: ActivityCall | None = None,
        attempt: Attempt | None = None,
    ) -> None:
        super().on_activity_done(entry, call)
        self.attempts.append((entry.seq, attempt))


FLAKY = """
    import autokitteh

    OUT = {out!r}

    def count():
        try:
            with open(OUT) as f:
                return len(f.read().split())
        except FileNotFoundError:
            return 0

    @autokitteh.activity(retries=3, backoff=0.05)
    def flaky():
        n = count() + 1
        with open(OUT, "a") as f:
            f.write(f"{{n}}\\n")
        if n < 3:
            raise ValueError(f"boom {{n}}")
        return n

    def main(event):
        return flaky()
"""


def _names(host: FakeHost) -> list[tuple[int, str, bool]]:
    # In seq order (parallel calls commit in any order).
    return sorted((e.seq, e.name, e.is_error) for e in host.journal)


def test_attempts_journaled_and_replayed(tmp_path: Path) -> None:
    out = tmp_path / "n.txt"
    files = {"main.py": FLAKY.format(out=str(out))}
    host = RetryHost()
    first, host = run_files(tmp_path / "a", files, durable=True, host=host)
    assert first.state == "completed", first.error
    assert first.value == 3
    assert _names(host) == [
        (1, "flaky", True),
        (2, "sleep", False),
        (3, "flaky", True),
        (4, "sleep", False),
        (5, "flaky", False),
    ]
    assert isinstance(host, RetryHost)
    assert host.attempts == [
        (1, Attempt(1, "ValueError('boom 1')")),
        (3, Attempt(2, "ValueError('boom 2')")),
        (5, Attempt(3, None)),
    ]
    # A crash after the first backoff timer: attempt 1 replays (not re-run),
    # the timer is waited out, attempts 2 and 3 run live.
    out.write_text("1\n")
    replay, host2 = run_files(
        tmp_path / "b",
        files,
        durable=True,
        journal=host.journal[:2],
        host=RetryHost(),
    )
    assert replay.state == "completed", replay.error
    assert out.read_text().split() == ["1", "2", "3"]
    assert [e.seq for e in host2.journal] == [3, 4, 5]
    # A journaled success never re-runs.
    again, host3 = run_files(
        tmp_path / "c", files, durable=True, journal=host.journal, host=RetryHost()
    )
    assert again.value == 3 and host3.journal == []
    assert out.read_text().split() == ["1", "2", "3"]


def test_retries_exhausted_and_non_retryable(tmp_path: Path) -> None:
    files = {
        "main.py": """
        import autokitteh

        @autokitteh.activity(retries=2, backoff=0, retry_on=(ValueError,))
        def always():
            raise ValueError("nope")

        @autokitteh.activity(retries=2, backoff=0, retry_on=(ValueError,))
        def other():
            raise KeyError("k")

        def main(event):
            try:
                always()
            except autokitteh.RetriesExhausted as e:
                first = [e.attempts, [repr(x) for x in e.errors], repr(e.__cause__)]
            try:
                other()
            except KeyError as e:
                return first, repr(e)
        """
    }
    res, host = run_files(tmp_path, files, durable=True, host=RetryHost())
    assert res.state == "completed", res.error
    assert res.value == [
        [3, ["ValueError('nope')"] * 3, "ValueError('nope')"],
        "KeyError('k')",
    ]
    assert [n for _, n, _ in _names(host)] == [
        "always",
        "sleep",
        "always",
        "sleep",
        "always",
        "other",
    ]


def test_project_default_applies_to_auto_activities(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    out = tmp_path / "n.txt"
    (lib / "flakylib.py").write_text(
        f"OUT = {str(out)!r}\n"
        "def fetch():\n"
        "    with open(OUT, 'a') as f:\n"
        "        f.write('x')\n"
        "    with open(OUT) as f:\n"
        "        n = len(f.read())\n"
        "    if n < 2:\n"
        "        raise OSError('flaky')\n"
        "    return n\n"
    )
    files = {
        "main.py": f"""
        import sys
        sys.path.append({str(lib)!r})
        import flakylib

        def main(event):
            return flakylib.fetch()
        """
    }
    env = {"AK_ACTIVITY_RETRY": '{"retries": 2, "initial_interval": 0.01}'}
    res, host = run_files(
        tmp_path / "a", files, durable=True, env=env, host=RetryHost()
    )
    assert res.state == "completed", res.error
    assert res.value == 2
    assert [n for _, n, _ in _names(host)] == ["fetch", "sleep", "fetch"]


def test_abandoned_attempt_drops_its_late_print(tmp_path: Path) -> None:
    files = {
        "main.py": """
        import time
        import autokitteh

        @autokitteh.activity(timeout=0.3)
        def slow():
            time.sleep(0.8)
            print("late")
            autokitteh.set_value("late", 1)  # refused: the attempt was abandoned
            return "late result"

        def main(event):
            try:
                slow()
            except autokitteh.ActivityTimeout as e:
                print(f"caught {e}")
            time.sleep(1.0)
            return "ok"
        """
    }
    res, host = run_files(tmp_path, files, durable=True, host=RetryHost())
    assert res.state == "completed", res.error
    assert host.texts == ["caught activity 'slow' timed out after 0.3 s"]
    assert "late" not in host.store
    assert [op for _, op, _ in host.syscalls] == ["sleep"]
    assert _names(host) == [(1, "slow", True), (2, "sleep", False)]


def test_async_activities_with_asyncio_gather(tmp_path: Path) -> None:
    files = {
        "main.py": """
        import asyncio
        import time
        import autokitteh

        tries = {}

        @autokitteh.activity(retries=1, backoff=0.01)
        async def fetch(i):
            tries[i] = tries.get(i, 0) + 1
            await asyncio.sleep(0.2)
            if i == 1 and tries[i] == 1:
                raise ConnectionError("once")
            return i * 10

        async def main(event):
            t0 = time.monotonic()
            values = await asyncio.gather(*(fetch(i) for i in range(5)))
            return values, time.monotonic() - t0 < 1.0
        """
    }
    res, host = run_files(tmp_path, files, durable=True, host=RetryHost())
    assert res.state == "completed", res.error
    assert res.value == [[0, 10, 20, 30, 40], True]
    names = [n for _, n, _ in _names(host)]
    assert names.count("fetch") == 6 and names.count("sleep") == 1


def test_gather_failures_and_retry_rounds(tmp_path: Path) -> None:
    files = {
        "main.py": """
        import autokitteh

        seen = []

        @autokitteh.activity(retries=1, backoff=0.01)
        def once_flaky(i):
            seen.append(i)
            if seen.count(i) == 1 and i % 2:
                raise ConnectionError(f"flaky {i}")
            return i

        @autokitteh.activity
        def bad(i):
            raise ValueError(f"bad {i}")

        def main(event):
            ok = autokitteh.parallel_map(once_flaky, range(4))
            mixed = autokitteh.gather(
                (bad, 1), (once_flaky, 10), (bad, 2), return_exceptions=True
            )
            try:
                autokitteh.gather((once_flaky, 20), (bad, 3), (bad, 4))
            except ValueError as e:
                first = str(e)
            return ok, [repr(m) for m in mixed], first
        """
    }
    res, host = run_files(tmp_path, files, durable=True, host=RetryHost())
    assert res.state == "completed", res.error
    assert res.value == [
        [0, 1, 2, 3],
        ["ValueError('bad 1')", "10", "ValueError('bad 2')"],
        "bad 3",
    ]
    journal: list[Any] = [(n, err) for _, n, err in _names(host)]
    # Round 1: four calls (1 and 3 fail), one timer, round 2: the two retries.
    assert journal[:7] == [
        ("once_flaky", False),
        ("once_flaky", True),
        ("once_flaky", False),
        ("once_flaky", True),
        ("sleep", False),
        ("once_flaky", False),
        ("once_flaky", False),
    ]
