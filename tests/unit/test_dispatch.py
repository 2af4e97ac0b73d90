"""Dispatch and schedules in-process: matching rules, exactly-once, tick policy."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from akcli.engine import scheduler
from akcli.engine.dispatch import (
    dispatch_pending,
    id_uuid,
    insert_event,
    trigger_matches,
)
from akcli.errors import AkError, BadRequest, NotFound
from akcli.server.services import events, projects, triggers
from akcli.server.state import Server
from akcli.store.db import now


def _project(srv: Server, active: bool = True) -> str:
    pid = str(projects.create(srv, {"project": {"name": "p"}})["project_id"])
    if active:
        _deployment(srv, pid, "DEPLOYMENT_STATE_ACTIVE")
    return pid


def _deployment(srv: Server, pid: str, state: str) -> str:
    bid, did, t = srv.ids.new("bld"), srv.ids.new("dep"), now()
    with srv.db.tx() as c:
        c.execute(
            "INSERT INTO builds (build_id, project_id, status, archive, created_at)"
            " VALUES (?, ?, 'BUILD_STATUS_SUCCESS', x'', ?)",
            (bid, pid, t),
        )
        c.execute(
            "INSERT INTO deployments VALUES (?, ?, ?, ?, ?, ?)",
            (did, pid, bid, state, t, t),
        )
    return did


def _trigger(srv: Server, pid: str, **fields: Any) -> str:
    t = {
        "project_id": pid,
        "name": fields.pop("name", "t"),
        "source_type": "webhook",
        "code_location": {"path": "main.py", "name": "on"},
        **fields,
    }
    return str(triggers.create(srv, {"trigger": t})["trigger_id"])


def _sessions(srv: Server, event_id: str) -> list[Any]:
    return srv.db.all("SELECT * FROM sessions WHERE event_id = ?", event_id)


def _event(srv: Server, tid: str, event_type: str = "get", **data: Any) -> str:
    return insert_event(
        srv, destination_id=tid, project_id="", event_type=event_type, data=data
    )


def test_webhook_trigger_ids_in_test_order(srv: Server) -> None:
    pid = _project(srv, active=False)
    resp = triggers.create(
        srv, {"trigger": {"project_id": pid, "name": "w", "source_type": "webhook"}}
    )
    assert resp == {
        "trigger_id": "trg_00000000000000000000000002",
        "webhook_slug": "00000000000000000000000003",
    }


def test_dispatch_creates_one_session_with_memo_and_inputs(srv: Server) -> None:
    pid = _project(srv)
    tid = _trigger(srv, pid, is_durable=True)
    eid = _event(srv, tid, x=1)
    assert dispatch_pending(srv) == 1
    (ses,) = _sessions(srv, eid)
    assert ses["state"] == "created"
    assert (ses["entry_path"], ses["entry_name"]) == ("main.py", "on")
    assert json.loads(ses["inputs"]) == {"x": 1}
    assert ses["is_durable"] == 1
    memo = json.loads(ses["memo"])
    assert memo["event_id"] == eid
    assert memo["trigger_id"] == tid
    assert memo["trigger_name"] == "t"
    assert memo["trigger_source_type"] == "SOURCE_TYPE_WEBHOOK"
    assert memo["event_uuid"] == id_uuid(eid)
    assert memo["project_id"] == pid
    # exactly once: a second pass finds nothing to do
    assert dispatch_pending(srv) == 0
    assert len(_sessions(srv, eid)) == 1
    row = srv.db.one("SELECT dispatched FROM events WHERE event_id = ?", eid)
    assert row is not None and row["dispatched"] == 1


@pytest.mark.parametrize(
    ("fields", "event_type", "data", "matched"),
    [
        ({}, "get", {}, True),
        ({"event_type": "*"}, "post", {}, True),
        ({"event_type": "get"}, "get", {}, True),
        ({"event_type": "get"}, "GET", {}, False),
        ({"event_type": "get"}, "post", {}, False),
        ({"filter": 'data.method == "GET"'}, "get", {"method": "GET"}, True),
        ({"filter": 'data.method == "GET"'}, "get", {"method": "PUT"}, False),
        ({"filter": 'event_type == "get"'}, "get", {}, True),
        ({"filter": "data.missing == 1"}, "get", {}, False),  # eval error: skipped
        ({"filter": "data.n"}, "get", {"n": 3}, False),  # not a bool: skipped
        ({"code_location": {}}, "get", {}, False),  # no call: no session
    ],
)
def test_trigger_matching(
    srv: Server, fields: dict[str, Any], event_type: str, data: Any, matched: bool
) -> None:
    pid = _project(srv)
    tid = _trigger(srv, pid, **fields)
    eid = _event(srv, tid, event_type, **data)
    row = srv.store.triggers.get(tid)
    assert row is not None
    ev = {"event_id": eid, "event_type": event_type, "data": data}
    assert trigger_matches(row, ev) is matched
    dispatch_pending(srv)
    assert len(_sessions(srv, eid)) == int(matched)


def test_no_active_deployment_no_session(srv: Server) -> None:
    pid = _project(srv, active=False)
    _deployment(srv, pid, "DEPLOYMENT_STATE_INACTIVE")
    tid = _trigger(srv, pid)
    eid = _event(srv, tid)
    assert dispatch_pending(srv) == 1
    assert _sessions(srv, eid) == []


def test_dispatch_is_atomic_with_sessions(
    srv: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while creating sessions leaves the event pending, with no session."""
    import akcli.engine.sessions_store as store

    pid = _project(srv)
    tid = _trigger(srv, pid)
    eid = _event(srv, tid)
    real = store.create_session
    monkeypatch.setattr(store, "create_session", lambda *a, **k: (real(*a, **k), 1 / 0))
    assert dispatch_pending(srv) == 0
    assert _sessions(srv, eid) == []
    monkeypatch.setattr(store, "create_session", real)
    assert dispatch_pending(srv) == 1
    assert len(_sessions(srv, eid)) == 1


def test_trigger_validation(srv: Server) -> None:
    pid = _project(srv, active=False)
    with pytest.raises(BadRequest, match='trigger "s": invalid cron expression "nope"'):
        _trigger(srv, pid, name="s", source_type="schedule", schedule="nope")
    with pytest.raises(BadRequest, match="unknown time zone"):
        _trigger(
            srv,
            pid,
            name="s",
            source_type="schedule",
            schedule="@daily",
            timezone="No/Where",
        )
    with pytest.raises(BadRequest, match=r'trigger "f": invalid filter: ERROR'):
        _trigger(srv, pid, name="f", filter="nope ==")
    tid = _trigger(srv, pid, name="w")
    with pytest.raises(BadRequest, match="source type cannot be updated"):
        triggers.update(
            srv,
            {
                "trigger": {
                    "trigger_id": tid,
                    "source_type": "schedule",
                    "schedule": "@daily",
                }
            },
        )
    slug = triggers.get(srv, {"trigger_id": tid})["trigger"]["webhook_slug"]
    triggers.update(
        srv,
        {
            "trigger": {
                "trigger_id": tid,
                "source_type": "webhook",
                "event_type": "post",
            }
        },
    )
    got = triggers.get(srv, {"trigger_id": tid})["trigger"]
    assert (got["webhook_slug"], got["event_type"]) == (slug, "post")
    with pytest.raises(NotFound, match='trigger ID "trg_x" not found'):
        triggers.delete(srv, {"trigger_id": "trg_x"})
    with pytest.raises(AkError, match="missing project prefix"):
        triggers.get(srv, {"trigger_id": "w"})


def test_redispatch_mints_new_event(srv: Server) -> None:
    pid = _project(srv)
    tid = _trigger(srv, pid)
    eid = _event(srv, tid, a=1)
    new = events.redispatch(srv, {"event_id": eid})["event_id"]
    assert new != eid
    dispatch_pending(srv)
    assert len(_sessions(srv, eid)) == 1
    assert len(_sessions(srv, new)) == 1


T0 = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)


def _ticks(srv: Server, tid: str) -> list[Any]:
    return srv.db.all(
        "SELECT * FROM events WHERE destination_id = ? AND event_type = 'tick'", tid
    )


def test_schedule_fires_ticks(srv: Server) -> None:
    pid = _project(srv)
    tid = _trigger(srv, pid, source_type="schedule", schedule="@every 10s")
    scheduler.step(srv, T0, startup=True, catch_up="one")  # first seen: no fire
    assert _ticks(srv, tid) == []
    wait = scheduler.step(srv, T0 + timedelta(seconds=5), startup=False, catch_up="one")
    assert _ticks(srv, tid) == [] and 0 < wait <= 5
    scheduler.step(srv, T0 + timedelta(seconds=10), startup=False, catch_up="one")
    (tick,) = _ticks(srv, tid)
    assert json.loads(tick["data"]) == {}
    dispatch_pending(srv)
    (ses,) = _sessions(srv, tick["event_id"])
    assert json.loads(ses["inputs"]) == {}


@pytest.mark.parametrize(("policy", "fired"), [("one", 1), ("none", 0)])
def test_schedule_missed_ticks_policy(srv: Server, policy: str, fired: int) -> None:
    pid = _project(srv)
    tid = _trigger(srv, pid, source_type="schedule", schedule="@every 10s")
    scheduler.step(srv, T0, startup=True, catch_up=policy)
    # "down" for 100 s (10 missed ticks), then a start-up pass
    later = T0 + timedelta(seconds=100)
    scheduler.step(srv, later, startup=True, catch_up=policy)
    assert len(_ticks(srv, tid)) == fired
    # afterwards ticks continue from the present, with no backlog
    scheduler.step(srv, later + timedelta(seconds=1), startup=False, catch_up=policy)
    assert len(_ticks(srv, tid)) == fired
    scheduler.step(srv, later + timedelta(seconds=10), startup=False, catch_up=policy)
    assert len(_ticks(srv, tid)) == fired + 1


def test_schedule_skipped_without_active_deployment(srv: Server) -> None:
    pid = _project(srv, active=False)
    tid = _trigger(srv, pid, source_type="schedule", schedule="@every 10s")
    scheduler.step(srv, T0, startup=True, catch_up="one")
    scheduler.step(srv, T0 + timedelta(seconds=10), startup=False, catch_up="one")
    assert _ticks(srv, tid) == []
    _deployment(srv, pid, "DEPLOYMENT_STATE_ACTIVE")
    scheduler.step(srv, T0 + timedelta(seconds=20), startup=False, catch_up="one")
    assert len(_ticks(srv, tid)) == 1


def test_a_failing_event_is_undone_alone_and_stays_pending(
    srv: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akcli.engine import sessions_store

    pid = _project(srv)
    tid = _trigger(srv, pid)
    bad, good = _event(srv, tid, n=1), _event(srv, tid, n=2)
    real = sessions_store.create_session
    calls = 0

    def flaky(s: Server, **kw: Any) -> str:
        nonlocal calls
        calls += 1
        sid = real(s, **kw)  # written, then the event fails: must be undone
        if kw["inputs"] == {"n": 1}:
            raise RuntimeError("boom")
        return sid

    monkeypatch.setattr(sessions_store, "create_session", flaky)
    assert dispatch_pending(srv) == 1
    assert _sessions(srv, bad) == []
    assert len(_sessions(srv, good)) == 1
    pending = srv.db.all("SELECT event_id FROM events WHERE dispatched = 0")
    assert [r["event_id"] for r in pending] == [bad]
    monkeypatch.setattr(sessions_store, "create_session", real)
    assert dispatch_pending(srv) == 1
    assert len(_sessions(srv, bad)) == 1


def test_savepoint_outside_a_transaction_is_refused(srv: Server) -> None:
    with pytest.raises(RuntimeError), srv.db.savepoint():
        pass


def test_dispatch_now_commits_sessions_with_the_event_or_leaves_it_pending(
    srv: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A webhook's event and its sessions in one transaction; if creating a
    session fails, the event is still stored, pending for the engine loop."""
    import akcli.engine.sessions_store as store
    from akcli.engine.dispatch import dispatch_now

    pid = _project(srv)
    tid = _trigger(srv, pid)
    with srv.store.tx():
        eid = _event(srv, tid)
        dispatch_now(srv, eid)
    assert len(_sessions(srv, eid)) == 1
    assert dispatch_pending(srv) == 0  # nothing left for the loop
    real = store.create_session
    monkeypatch.setattr(store, "create_session", lambda *a, **k: (real(*a, **k), 1 / 0))
    with srv.store.tx():
        failed = _event(srv, tid)
        dispatch_now(srv, failed)
    assert _sessions(srv, failed) == []
    monkeypatch.setattr(store, "create_session", real)
    assert dispatch_pending(srv) == 1
    assert len(_sessions(srv, failed)) == 1
