"""kill -9 of the server at the worst moments of an activity's commit.

An activity's result, its call spec (folded into activity_done when it ran
under 50 ms, sent alone by the runner when slower) and its log records commit
together; on the ack path (``pythonrt.journal: ack``: PostgreSQL workers,
Temporal; tests/faults/test_journal_file.py covers the journal files) the
runner waits for the ack before the workflow goes on. The server
is killed right before that commit or right after it (the ack not written):
after a restart the session completes, an activity whose journal row committed
never runs again, the one in flight before the commit runs once more (at least
once), prints are stored once and the log shows each committed call once.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from akcli.server.state import Server
from tests.engine.conftest import deploy, log_records, make_server, start, wait_final

ROOT = Path(__file__).resolve().parents[2]
N = 8
KILL_SEQ = 4

PROGRAM = """
import time
import autokitteh

OUT = {out!r}

@autokitteh.activity
def step(i):
    with open(OUT, "a") as f:
        f.write(f"{{i}}\\n")
    time.sleep({pause})
    return i * i

def main(event):
    total = 0
    for i in range({n}):
        total += step(i)
        print(f"done {{i}}")
    return total
"""

# Runs the engine on the database and SIGKILLs itself at one point of the
# activity_done of seq KILL_SEQ.
DRIVER = """
import asyncio, os, signal, sys
from pathlib import Path
from akcli.engine import session_host
from tests.engine.conftest import make_server

home, when, kill_seq = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
done = session_host.DbSessionHost.on_activity_done

def on_activity_done(self, entry, call=None):
    if when == "before_commit" and entry.seq == kill_seq:
        os.kill(os.getpid(), signal.SIGKILL)
    done(self, entry, call)
    if when == "after_commit" and entry.seq == kill_seq:
        os.kill(os.getpid(), signal.SIGKILL)  # committed, the ack not written

session_host.DbSessionHost.on_activity_done = on_activity_done

async def main():
    srv = make_server(home / "driver", home / "ak.sqlite", {"pythonrt.journal": "ack"})
    await srv.engine.start()
    await asyncio.sleep(60)

asyncio.run(main())
"""


@pytest.mark.parametrize("when", ["before_commit", "after_commit"])
@pytest.mark.parametrize("pause", [0, 0.12])  # folded call spec / activity_start
def test_kill9_around_activity_commit(
    tmp_path: Path, worker_python: None, when: str, pause: float
) -> None:
    out = tmp_path / "ran.txt"
    db_file = tmp_path / "ak.sqlite"
    seed = make_server(tmp_path / "seed", db_file)
    program = PROGRAM.format(out=str(out), pause=pause, n=N)
    sid = start(seed, deploy(seed, {"main.py": program}), "main.py:main")
    seed.db.close()

    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, str(tmp_path), when, str(KILL_SEQ)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    ran = [int(x) for x in out.read_text().split()]
    assert ran == list(range(KILL_SEQ)), "killed at the wrong activity"

    async def finish(srv: Server) -> None:
        await srv.engine.start()
        try:
            row = await wait_final(srv, sid, 30)
            assert row["state"] == "completed", row["error"]
            assert row["return_value"] == str(sum(i * i for i in range(N)))
        finally:
            await srv.engine.shutdown()

    srv = make_server(tmp_path / "restarted", db_file)
    try:
        asyncio.run(finish(srv))
        printed = [
            r["text"]
            for r in srv.db.all(
                "SELECT text FROM session_prints WHERE session_id = ? ORDER BY id", sid
            )
        ]
        records = log_records(srv, sid)
        journal = [
            r["seq"]
            for r in srv.db.all(
                "SELECT seq FROM journal WHERE session_id = ? ORDER BY seq", sid
            )
        ]
    finally:
        srv.db.close()

    in_flight = KILL_SEQ - 1  # step(i) is seq i + 1
    ran = [int(x) for x in out.read_text().split()]
    again = [in_flight] if when == "before_commit" else []
    assert sorted(ran) == sorted([*range(N), *again]), ran
    assert printed == [f"done {i}" for i in range(N)]
    assert journal == list(range(1, N + 1))
    specs = [r["call_spec"]["seq"] for r in records if "call_spec" in r]
    completes = [
        r["call_attempt_complete"]["seq"]
        for r in records
        if "call_attempt_complete" in r
    ]
    # A slow activity shows its call spec while it runs: the killed attempt's
    # spec stays in the log next to the re-run's (two attempts, both shown).
    shown_twice = [KILL_SEQ] if when == "before_commit" and pause else []
    assert sorted(specs) == sorted([*range(1, N + 1), *shown_twice])
    assert completes == list(range(1, N + 1))
