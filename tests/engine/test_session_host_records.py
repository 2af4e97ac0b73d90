"""The activity log records written on the hot path are what json.dumps writes
(`ak session log` and the session tests compare them), in order with the records
of other writers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from akcli.engine.runner_types import ActivityCall, JournalEntry
from akcli.engine.session_host import DbSessionHost
from akcli.engine.sessions_store import add_log
from tests.engine.conftest import make_server

CALLS = [
    ("noop", ["1"], {}),
    ('we"ird\\näme', ["'a\\nb'", "<obj at 0x1>", "\u2028\x00"], {"k": "v", "ü": "é"}),
    ("x", [], {"a": "1", "b": "[1, 2]"}),
]


@pytest.mark.parametrize("is_error", [False, True])
def test_records_match_json_dumps(tmp_path: Path, is_error: bool) -> None:
    srv = make_server(tmp_path)
    sid = "ses_x"
    srv.db.exec("PRAGMA foreign_keys=OFF")  # no sessions row needed here
    host = DbSessionHost(srv, sid)
    add_log(srv, sid, {"state": {"running": {}}})  # another writer's record first
    want: list[dict[str, object]] = [{"state": {"running": {}}}]
    for seq, (name, args, kwargs) in enumerate(CALLS, 1):
        entry = JournalEntry(seq, name, "pickle", "gASVCgAAAAAAAABLAE6GlC4=", is_error)
        if seq == 2:  # a slow one: its call spec was written on its own
            host.on_activity_start(seq, name, args, kwargs)
            host.on_activity_done(entry)
        else:
            host.on_activity_done(entry, ActivityCall(args, kwargs))
        spec = {"function": {"name": name}, "args": args, "kwargs": kwargs, "seq": seq}
        want += [
            {"call_spec": spec},
            {"call_attempt_start": {"seq": seq}},
            {"call_attempt_complete": {"seq": seq, "is_error": is_error}},
        ]
        if seq == 1:  # another writer between two activities (the host caches seq)
            add_log(srv, sid, {"stop_request": {"reason": "x"}})
            want.append({"stop_request": {"reason": "x"}})
    rows = srv.db.all(
        "SELECT seq, record FROM session_logs WHERE session_id = ? ORDER BY seq", sid
    )
    assert [r["seq"] for r in rows] == list(range(1, len(want) + 1))
    assert [r["record"] for r in rows] == [json.dumps(w) for w in want]
    journal = srv.db.all("SELECT seq, name FROM journal WHERE session_id = ?", sid)
    assert [(r["seq"], r["name"]) for r in journal] == [
        (i, c[0]) for i, c in enumerate(CALLS, 1)
    ]


def test_call_spec_records_have_the_start_time(tmp_path: Path) -> None:
    srv = make_server(tmp_path)
    sid = "ses_t"
    srv.db.exec("PRAGMA foreign_keys=OFF")
    host = DbSessionHost(srv, sid)
    started = 1_700_000_000.25  # 2023-11-14T22:13:20.250000Z
    # A fast activity: its call spec came folded into activity_done.
    host.on_activity_done(
        JournalEntry(1, "f", "pickle", "x", False), ActivityCall([], {}, started)
    )
    # A slow one: activity_start (sent 50 ms into it) says when it started.
    host.on_activity_start(2, "g", [], {}, started + 1)
    host.on_activity_done(JournalEntry(2, "g", "pickle", "x", False))
    rows = srv.db.all(
        "SELECT t, record FROM session_logs WHERE session_id = ? ORDER BY seq", sid
    )
    kinds = [next(iter(json.loads(r["record"]))) for r in rows]
    assert kinds == ["call_spec", "call_attempt_start", "call_attempt_complete"] * 2
    times = [r["t"] for r in rows]
    assert times[0] == times[1] == "2023-11-14T22:13:20.250000Z"
    assert times[3] == times[4] == "2023-11-14T22:13:21.250000Z"
    assert times[2] > "2026" and times[5] > "2026"  # completions: when written


@pytest.mark.parametrize("fails", [False, True])
def test_journaled_syscalls_are_logged_as_calls(tmp_path: Path, fails: bool) -> None:
    import asyncio

    from akcli.engine.runner_types import SyscallError

    srv = make_server(tmp_path)
    sid = "ses_s"
    srv.db.exec("PRAGMA foreign_keys=OFF")
    host = DbSessionHost(srv, sid)
    seconds = -1 if fails else 5

    async def go() -> None:
        await host.on_syscall(1, "sleep", {"seconds": seconds})
        await host.on_syscall(None, "sleep", {"seconds": 1})  # not journaled

    if fails:
        with pytest.raises(SyscallError):
            asyncio.run(go())
    else:
        asyncio.run(go())
    rows = srv.db.all(
        "SELECT record FROM session_logs WHERE session_id = ? ORDER BY seq", sid
    )
    args = {"seconds": repr(seconds)}
    assert [json.loads(r["record"]) for r in rows] == [
        {"sdk_call": {"op": "sleep", "args": args, "seq": 1}},
        {"sdk_call_complete": {"seq": 1, "is_error": fails}},
    ]
    # A replayed call (answered before a restart) is not logged again.
    if not fails:
        asyncio.run(host.on_syscall(1, "sleep", {"seconds": seconds}))
    assert (
        len(srv.db.all("SELECT seq FROM session_logs WHERE session_id = ?", sid)) == 2
    )
