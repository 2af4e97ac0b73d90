"""Rows the contract tests need from parts that have no method creating them
yet (projects, builds, deployments, triggers, connections, waits): written
here, on the SQLite backend, until those parts grow their own. Sessions are
created through `store.sessions.create`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akcli.states import DeploymentState
from akcli.store.interface import Store
from akcli.store.interface.sessions import NewSession
from akcli.store.sqlite import SqliteStore

T0 = "2026-01-01T00:00:00.000000Z"


def _exec(store: Store, sql: str, *args: Any) -> None:
    assert isinstance(store, SqliteStore), "seed rows for this backend"
    with store.tx():
        store.db.exec(sql, *args)


def project(store: Store, pid: str = "prj_1") -> str:
    _exec(
        store,
        "INSERT INTO projects (project_id, name, created_at, updated_at)"
        " VALUES (?, ?, ?, ?)",
        pid,
        f"name-{pid}",
        T0,
        T0,
    )
    return pid


def build(store: Store, bid: str, pid: str = "prj_1", archive: bytes = b"") -> str:
    _exec(
        store,
        "INSERT INTO builds (build_id, project_id, status, archive, created_at)"
        " VALUES (?, ?, 'BUILD_STATUS_SUCCESS', ?, ?)",
        bid,
        pid,
        archive,
        T0,
    )
    return bid


def deployment(
    store: Store,
    did: str,
    state: DeploymentState,
    pid: str = "prj_1",
    created_at: str = T0,
) -> str:
    bid = build(store, f"bld_{did}", pid)
    _exec(
        store,
        "INSERT INTO deployments (deployment_id, project_id, build_id, state,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        did,
        pid,
        bid,
        state,
        created_at,
        created_at,
    )
    return did


def connection(store: Store, cid: str, name: str, pid: str = "prj_1") -> str:
    _exec(
        store,
        "INSERT INTO connections (connection_id, project_id, name, integration,"
        " created_at, updated_at) VALUES (?, ?, ?, 'github', ?, ?)",
        cid,
        pid,
        name,
        T0,
        T0,
    )
    return cid


def trigger(store: Store, tid: str, pid: str = "prj_1", **cols: Any) -> str:
    row: dict[str, Any] = {
        "trigger_id": tid,
        "project_id": pid,
        "name": tid,
        "source_type": "SOURCE_TYPE_WEBHOOK",
        "code_path": "main.py",
        "code_name": "on",
        "created_at": T0,
        "updated_at": T0,
        **cols,
    }
    names = ", ".join(row)
    marks = ", ".join("?" * len(row))
    _exec(store, f"INSERT INTO triggers ({names}) VALUES ({marks})", *row.values())
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
    _sqlite(store).db.exec(
        "INSERT INTO vars (scope_id, name, value, is_secret, description)"
        " VALUES (?, ?, ?, 0, '')",
        scope_id,
        name,
        value,
    )


def integration_connection(
    store: Store, cid: str, pid: str, integration: str, t: str
) -> None:
    _sqlite(store).db.exec(
        "INSERT INTO connections (connection_id, project_id, name, integration,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        cid,
        pid,
        cid,
        integration,
        t,
        t,
    )


def webhook_trigger(store: Store, tid: str, pid: str, slug: str) -> None:
    _sqlite(store).db.exec(
        "INSERT INTO triggers (trigger_id, project_id, name, source_type,"
        " webhook_slug, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        tid,
        pid,
        tid,
        "SOURCE_TYPE_WEBHOOK",
        slug,
        "t0",
        "t0",
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
