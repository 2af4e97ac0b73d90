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
