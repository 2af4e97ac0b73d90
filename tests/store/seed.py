"""Rows the contract tests need. Projects, builds, deployments, connections,
triggers, vars and sessions are created through their parts; the rest, whose
parts have no method writing them yet, are written here on the SQLite backend."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akcli.states import BuildStatus, DeploymentState
from akcli.store.interface import Store
from akcli.store.interface.sessions import NewSession
from akcli.store.interface.triggers import TriggerRow
from akcli.store.interface.vars import VarRow
from akcli.store.sqlite import SqliteStore

T0 = "2026-01-01T00:00:00.000000Z"


def _exec(store: Store, sql: str, *args: Any) -> None:
    assert isinstance(store, SqliteStore), "seed rows for this backend"
    with store.tx():
        store.db.exec(sql, *args)


def project(store: Store, pid: str = "prj_1") -> str:
    with store.tx():
        store.projects.create(pid, f"name-{pid}", T0)
    return pid


def build(
    store: Store, bid: str, pid: str = "prj_1", archive: bytes = b"", t: str = T0
) -> str:
    with store.tx():
        store.builds.create(bid, pid, BuildStatus.SUCCESS, archive, t)
    return bid


def deployment(
    store: Store,
    did: str,
    state: DeploymentState,
    pid: str = "prj_1",
    created_at: str = T0,
) -> str:
    bid = build(store, f"bld_{did}", pid)
    with store.tx():
        store.deployments.create(did, pid, bid, state, created_at)
    return did


def connection(
    store: Store,
    cid: str,
    name: str,
    pid: str = "prj_1",
    integration: str = "github",
    t: str = T0,
) -> str:
    with store.tx():
        store.connections.create(cid, pid, name, integration, t)
    return cid


def trigger(store: Store, tid: str, pid: str = "prj_1", **cols: Any) -> str:
    fields: dict[str, Any] = {
        "trigger_id": tid,
        "project_id": pid,
        "name": tid,
        "source_type": "SOURCE_TYPE_WEBHOOK",
        "event_type": "",
        "filter": "",
        "code_path": "main.py",
        "code_name": "on",
        "is_durable": False,
        "is_sync": False,
        "schedule": "",
        "timezone": "",
        "webhook_slug": None,
        "created_at": T0,
        "updated_at": T0,
        "connection_id": "",
        **cols,
    }
    fields["is_durable"] = bool(fields["is_durable"])
    fields["is_sync"] = bool(fields["is_sync"])
    with store.tx():
        store.triggers.create(TriggerRow(**fields))
    return tid


def wait(store: Store, sid: str, seq: int = 1, op: str = "sleep") -> None:
    _exec(
        store,
        "INSERT INTO session_waits (session_id, seq, op, created_at)"
        " VALUES (?, ?, ?, ?)",
        sid,
        seq,
        op,
        T0,
    )


def has_wait(store: Store, sid: str) -> bool:
    assert isinstance(store, SqliteStore)
    return (
        store.db.one("SELECT 1 FROM session_waits WHERE session_id = ?", sid)
        is not None
    )


def session(store: Store, sid: str, t: str = T0, **fields: Any) -> str:
    new = NewSession(
        session_id=sid,
        project_id=fields.pop("project_id", "prj_1"),
        entry_path="main.py",
        entry_name="on",
        inputs=fields.pop("inputs", {}),
        **fields,
    )
    with store.tx():
        store.sessions.create(new, t)
    return sid


# Seeds of the services' contract tests.


def _sqlite(store: Store) -> SqliteStore:
    if not isinstance(store, SqliteStore):
        pytest.skip("no seed for this backend yet")
    return store


def value(store: Store, project_id: str, key: str, v: Any, published: bool) -> None:
    _sqlite(store).db.exec(
        "INSERT INTO store_values (project_id, key, value, published) VALUES (?, ?, ?, ?)",
        project_id,
        key,
        json.dumps(v),
        int(published),
    )


def var(store: Store, scope_id: str, name: str, value: str) -> None:
    store.vars.set_many([VarRow(scope_id, name, value, False)])


def integration_connection(
    store: Store, cid: str, pid: str, integration: str, t: str
) -> None:
    connection(store, cid, cid, pid, integration, t)


def webhook_trigger(store: Store, tid: str, pid: str, slug: str) -> None:
    trigger(
        store,
        tid,
        pid,
        webhook_slug=slug,
        code_path="",
        code_name="",
        created_at="t0",
        updated_at="t0",
    )


def session_state(store: Store, session_id: str, state: str) -> None:
    _sqlite(store).db.exec(
        "UPDATE sessions SET state = ? WHERE session_id = ?", state, session_id
    )


def print_(store: Store, session_id: str, key: str, t: str, text: str) -> None:
    _sqlite(store).db.exec(
        "INSERT INTO session_prints (session_id, key, t, text) VALUES (?, ?, ?, ?)",
        session_id,
        key,
        t,
        text,
    )


def journal(
    store: Store,
    session_id: str,
    seq: int,
    name: str,
    kind: str,
    value: str,
    *,
    is_error: bool = False,
    timings: tuple[float | None, float | None, float | None] = (None, None, None),
) -> None:
    _sqlite(store).db.exec(
        "INSERT INTO journal (session_id, seq, name, kind, value, is_error,"
        " created_at, queue_s, exec_s, commit_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        session_id,
        seq,
        name,
        kind,
        value,
        int(is_error),
        f"t{seq}",
        *timings,
    )


def has_store_value(store: Store, pid: str, key: str) -> bool:
    row = _sqlite(store).db.one(
        "SELECT 1 FROM store_values WHERE project_id = ? AND key = ?", pid, key
    )
    return row is not None
