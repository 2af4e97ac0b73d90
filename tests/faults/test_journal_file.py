"""kill -9 around the runner's journal file (pythonrt.journal: file, SQLite).

The runner commits each activity's result to its session's journal file and
goes on without an ack; the server stores the socket's lines in batches, and
what is left only in the file when the runner ends or before the session
resumes. Each activity appends `<session> <i> <runner pid>` to a file outside
the project, prints, and returns its runner's pid, so a replayed result shows
the pid of the runner that ran it; two activities around seq K run longer than
the runner's flush delay (their call spec is an activity_start, in the file
too). Every session must end with each print, journal entry, completion record
and call spec stored once.

* the runner kills itself right after its journal write of seq K, before the
  socket send (AK_CHAOS plan `at: journaled`): the session resumes in a new
  runner, activity K is not run again and its recorded result is replayed;
* the server kills itself on receiving seq K (`at: received`: the result is
  in the file only) while three sessions run: after a restart all complete,
  no activity whose result was in a file or the store at the kill runs again,
  nothing is lost;
* the runner dies half-way through its journal write of seq K (`at: torn`):
  the torn record is ignored and activity K runs once more, once.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from runner.journal_file import line_seq, read_records
from tests.faults.conftest import Env, assert_store_sound, connect
from tests.server import AkServer

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

N = 30
K = 12  # the seq killed at: activity i is seq i + 1
SLOW = (K - 2, K - 1)  # activities that send an activity_start first

MANIFEST = """version: v1
project:
  name: jf
"""

PROGRAM = """
import os
import time
import autokitteh

OUT = {out!r}
GO = {go!r}

@autokitteh.activity
def step(tag, i):
    while not os.path.exists(GO):  # the test starts every session first
        time.sleep(0.01)
    with open(OUT, "a") as f:
        f.write(f"{{tag}} {{i}} {{os.getpid()}}\\n")
    if i in {slow}:  # over FLUSH_AFTER: its call spec goes as activity_start
        time.sleep(0.12)
    print(f"in {{i}}")  # journaled with its result: printed once
    return os.getpid()

def main(event):
    tag = event.data.tag
    pids = []
    for i in range({n}):
        pids.append(step(tag, i))
        print(f"done {{i}}")
    return pids
"""


def _server(home: Path, chaos: Path | None) -> AkServer:
    env = {"AK_WORKER_PYTHON": sys.executable}
    if chaos is not None:
        env["AK_CHAOS"] = str(chaos)
    return AkServer(home, mode="dev", env=env)


def _journal_dir(server: AkServer) -> Path:
    db = server.db_file
    return db.with_name(db.name + ".ak-journal")


def _ran(out: Path) -> list[tuple[str, int, int]]:
    lines = out.read_text().split("\n") if out.exists() else []
    return [(t, int(i), int(p)) for t, i, p in (ln.split() for ln in lines if ln)]


def _start(env: Env, tag: str) -> str:
    return env.start("jf", "program.py:main", "-D", "-I", f"tag={json.dumps(tag)}")


def _check_session(env: Env, sid: str, ran: list[tuple[int, int]]) -> list[int]:
    """The session completed with every result, printed each line once, has
    every journal entry and one completion record per activity; returns the
    pids its workflow saw (the results)."""
    row = env.wait_final(sid, 90)
    assert row["state"] == "completed", row["error"]
    pids = json.loads(row["return_value"])
    assert len(pids) == N
    with env.db() as db:
        prints = [
            r[0]
            for r in db.execute(
                "SELECT text FROM session_prints WHERE session_id = ? ORDER BY id",
                (sid,),
            )
        ]
        seqs = [
            r[0]
            for r in db.execute(
                "SELECT seq FROM journal WHERE session_id = ? ORDER BY seq", (sid,)
            )
        ]
        records = [
            json.loads(r[0])
            for r in db.execute(
                "SELECT record FROM session_logs WHERE session_id = ? ORDER BY seq",
                (sid,),
            )
        ]
    assert prints == [p for i in range(N) for p in (f"in {i}", f"done {i}")]
    assert seqs == list(range(1, N + 1))
    done = [
        r["call_attempt_complete"]["seq"]
        for r in records
        if "call_attempt_complete" in r
    ]
    assert done == list(range(1, N + 1))
    # One call spec per activity; two only for one that ran twice and was slow
    # (each attempt showed its own activity_start).
    specs = Counter(r["call_spec"]["seq"] for r in records if "call_spec" in r)
    runs = Counter(i for i, _ in ran)
    assert set(specs) == set(range(1, N + 1))
    assert all(n == 1 or (runs[s - 1] > 1 and s - 1 in SLOW) for s, n in specs.items())
    # Each result is the pid of the (last) runner that ran that activity.
    last_pid = dict(ran)
    assert pids == [last_pid[i] for i in range(N)]
    return [int(p) for p in pids]


def _env(tmp_path: Path, plan: dict[str, object]) -> tuple[Env, AkServer, Path, Path]:
    chaos = tmp_path / "chaos"
    chaos.mkdir()
    (chaos / "plan.json").write_text(json.dumps(plan))
    out, go = tmp_path / "ran.txt", tmp_path / "go"
    if plan.get("kill") != "server":
        go.touch()
    server = _server(tmp_path / "srv", chaos).start()
    env = Env(server, tmp_path)
    program = PROGRAM.format(out=str(out), go=str(go), n=N, slow=SLOW)
    env.deploy("jf", {"autokitteh.yaml": MANIFEST, "program.py": program})
    return env, server, out, chaos


@pytest.mark.parametrize("at", ["journaled", "torn"])
def test_runner_killed_at_its_journal_write(tmp_path: Path, at: str) -> None:
    env, server, out, _ = _env(tmp_path, {"kill": "runner", "after_seq": K, "at": at})
    try:
        sid = _start(env, "s")
        env.wait_final(sid, 90)
        ran = [(i, p) for _, i, p in _ran(out)]
        pids = _check_session(env, sid, ran)
    finally:
        server.stop()
    counts = Counter(i for i, _ in ran)
    killed = K - 1  # the activity of seq K
    first, second = ran[0][1], ran[-1][1]
    assert first != second, "the runner was not killed"
    if at == "journaled":
        # Committed to the file before the kill: replayed, not run again.
        assert counts == Counter(range(N)), ran
        assert pids[killed] == first
    else:
        # Torn: not committed, so it runs again (once) in the new runner.
        assert counts == Counter([*range(N), killed]), ran
        assert pids[killed] == second
    assert [p for i, p in ran if i < killed] == [first] * killed
    assert {p for i, p in ran if i > killed} == {second}
    assert not list(_journal_dir(server).iterdir()), "journal file left behind"
    assert_store_sound(server.db_file)


def _snapshot(server: AkServer, sids: list[str]) -> dict[str, set[int]]:
    """Per session: the seqs in the store or in its journal file."""
    seen: dict[str, set[int]] = {sid: set() for sid in sids}
    with connect(server.db_file) as db:
        for sid in sids:
            rows = db.execute("SELECT seq FROM journal WHERE session_id = ?", (sid,))
            seen[sid] |= {int(r[0]) for r in rows}
    for sid in sids:
        path = _journal_dir(server) / f"{sid}.jnl"
        if path.exists():
            seen[sid] |= {
                s for s in map(line_seq, read_records(path.read_bytes())) if s
            }
    return seen


def _stored(db_file: Path, sid: str) -> set[int]:
    with connect(db_file) as db:
        rows = db.execute("SELECT seq FROM journal WHERE session_id = ?", (sid,))
        return {int(r[0]) for r in rows}


def test_server_killed_with_results_only_in_journal_files(tmp_path: Path) -> None:
    env, server, out, chaos = _env(
        tmp_path, {"kill": "server", "after_seq": K, "at": "received"}
    )
    tags = ["a", "b", "c"]
    sids = [_start(env, t) for t in tags]
    (tmp_path / "go").touch()
    assert server.proc is not None
    server.proc.wait(90)  # killed itself on receiving some session's seq K
    time.sleep(0.5)  # its runners see the socket close and exit
    seen = _snapshot(server, sids)
    only_in_file = {sid: seen[sid] - _stored(server.db_file, sid) for sid in sids}
    assert any(K in s for s in only_in_file.values()), only_in_file
    (chaos / "plan.json").unlink()
    server.start()
    try:
        for sid in sids:
            env.wait_final(sid, 90)
        ran_all = _ran(out)
        for tag, sid in zip(tags, sids, strict=True):
            ran = [(i, p) for t, i, p in ran_all if t == tag]
            _check_session(env, sid, ran)
            counts = Counter(i for i, _ in ran)
            again = [i for i, n in counts.items() if n > 1]
            assert set(counts) == set(range(N)), ran
            # At most the activity in flight at the kill runs again, never one
            # whose result was in the store or the journal file.
            assert len(again) <= 1 and max(counts.values()) <= 2, ran
            assert not {i + 1 for i in again} & seen[sid], (again, seen[sid])
    finally:
        server.stop()
    assert not list(_journal_dir(server).iterdir()), "journal file left behind"
    assert_store_sound(server.db_file)
