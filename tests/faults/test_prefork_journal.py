"""kill -9 of the server while a PRE-FORKED runner's results are only in its
journal file (akcli/engine/prefork.py with akcli/engine/journal_files.py).

An idle runner is isolated before its session is known, so it opens an idle
journal file the server made for it; the server renames that file to the
session's when it hands the session over. The session here runs on a
pre-forked runner (its activities return that runner's pid); the server kills
itself on receiving seq K (`at: received`: the result is in the file only).
After a restart the session completes, no activity whose result was in the
store or the file runs again, nothing is lost or stored twice, and no journal
file (the session's or an idle runner's) is left behind.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.faults import procs
from tests.faults.conftest import Env, assert_store_sound
from tests.faults.test_journal_file import (
    MANIFEST,
    PROGRAM,
    SLOW,
    K,
    N,
    _check_session,
    _journal_dir,
    _ran,
    _server,
    _snapshot,
    _start,
    _stored,
)

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

WARM = """

def warm(event):
    return 0
"""


def test_server_killed_with_a_preforked_runners_results_in_its_file(
    tmp_path: Path,
) -> None:
    chaos = tmp_path / "chaos"
    chaos.mkdir()
    out, go = tmp_path / "ran.txt", tmp_path / "go"
    server = _server(tmp_path / "srv", chaos).start()
    env = Env(server, tmp_path)
    program = PROGRAM.format(out=str(out), go=str(go), n=N, slow=SLOW) + WARM
    env.deploy("jf", {"autokitteh.yaml": MANIFEST, "program.py": program})
    # A first session caches the build: the next ones go to idle runners.
    warm = env.start("jf", "program.py:warm")
    assert env.wait_final(warm, 60)["state"] == "completed"
    assert server.proc is not None
    idle = procs.ready_idle(server.proc.pid, 2)
    idle_files = {p.name for p in _journal_dir(server).glob("idle-*.jnl")}
    assert len(idle_files) >= 2, idle_files  # one per idle runner
    plan = {"kill": "server", "after_seq": K, "at": "received"}
    (chaos / "plan.json").write_text(json.dumps(plan))
    sid = _start(env, "p")
    go.touch()
    server.proc.wait(90)  # killed itself on receiving seq K
    time.sleep(0.5)  # its runners see the socket close and exit
    ran = [(i, p) for _, i, p in _ran(out)]
    assert ran and ran[0][1] in idle, (ran[:1], idle)  # a pre-forked runner
    seen = _snapshot(server, [sid])[sid]
    assert K in seen - _stored(server.db_file, sid), "seq K not only in the file"
    left = {p.name for p in _journal_dir(server).glob("idle-*.jnl")}
    assert left, "the killed server's idle files are gone already"
    (chaos / "plan.json").unlink()
    server.start()
    try:
        env.wait_final(sid, 90)
        ran = [(i, p) for _, i, p in _ran(out)]
        _check_session(env, sid, ran)
        counts = Counter(i for i, _ in ran)
        again = [i for i, n in counts.items() if n > 1]
        assert set(counts) == set(range(N)), ran
        # At most the activity in flight at the kill runs again, never one
        # whose result was in the store or the journal file.
        assert len(again) <= 1 and max(counts.values()) <= 2, ran
        assert not {i + 1 for i in again} & seen, (again, seen)
        now = {p.name for p in _journal_dir(server).glob("idle-*.jnl")}
        assert not now & left, "stale idle files kept after the restart"
    finally:
        server.stop()
    assert not list(_journal_dir(server).iterdir()), "journal file left behind"
    assert_store_sound(server.db_file)
