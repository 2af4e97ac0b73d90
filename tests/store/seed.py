"""Rows for contract tests whose table has no creating part method yet (other
parts' writers are still moving into the store): written with the backend's
own SQL. Prefer a part method as soon as one exists."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akcli.store.interface import Store
from akcli.store.sqlite import SqliteStore


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
