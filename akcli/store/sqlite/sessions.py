"""sessions on SQLite."""

from __future__ import annotations

import json
import sqlite3

from akcli.states import FINAL_SESSION_STATES, SessionState
from akcli.store.db import Database
from akcli.store.interface.sessions import NewSession, SessionFilter, SessionRow

SESSION_COLS = (
    "session_id, project_id, deployment_id, build_id, event_id, trigger_id,"
    " parent_session_id, entry_path, entry_name, inputs, memo, event_type, is_durable,"
    " is_sync, state, error, return_value, stop_reason, created_at, updated_at"
)


def session_row(r: sqlite3.Row) -> SessionRow:
    return SessionRow(
        session_id=r["session_id"],
        project_id=r["project_id"],
        deployment_id=r["deployment_id"],
        build_id=r["build_id"],
        event_id=r["event_id"],
        trigger_id=r["trigger_id"],
        parent_session_id=r["parent_session_id"],
        entry_path=r["entry_path"],
        entry_name=r["entry_name"],
        inputs=json.loads(r["inputs"]),
        memo=json.loads(r["memo"]),
        event_type=r["event_type"],
        is_durable=bool(r["is_durable"]),
        is_sync=bool(r["is_sync"]),
        state=SessionState(r["state"]),
        error=r["error"],
        return_value=r["return_value"],
        stop_reason=r["stop_reason"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


class SqliteSessions:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, new: NewSession, t: str) -> None:
        self._db.exec(
            "INSERT INTO sessions (session_id, project_id, deployment_id, build_id,"
            " event_id, trigger_id, parent_session_id, entry_path, entry_name, inputs,"
            " memo, event_type, is_durable, is_sync, state, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            new.session_id,
            new.project_id,
            new.deployment_id,
            new.build_id,
            new.event_id,
            new.trigger_id,
            new.parent_session_id,
            new.entry_path,
            new.entry_name,
            json.dumps(new.inputs),
            json.dumps(new.memo),
            new.event_type,
            int(new.is_durable),
            int(new.is_sync),
            SessionState.CREATED,
            t,
            t,
        )

    def get(self, session_id: str) -> SessionRow | None:
        r = self._db.one(
            f"SELECT {SESSION_COLS} FROM sessions WHERE session_id = ?", session_id
        )
        return session_row(r) if r is not None else None

    def in_state(
        self, state: SessionState, limit: int | None = None
    ) -> list[SessionRow]:
        rows = self._db.all(
            f"SELECT {SESSION_COLS} FROM sessions WHERE state = ?"
            " ORDER BY created_at LIMIT ?",
            state,
            -1 if limit is None else limit,
        )
        return [session_row(r) for r in rows]

    def mark_running(self, session_id: str, t: str, owner: str = "") -> bool:
        cur = self._db.exec(
            "UPDATE sessions SET state = ?, updated_at = ?, owner = ?"
            " WHERE session_id = ? AND state = ?",
            SessionState.RUNNING,
            t,
            owner,
            session_id,
            SessionState.CREATED,
        )
        return cur.rowcount == 1

    def take_over(self, session_id: str, owner: str, old_owners: set[str]) -> bool:
        """RUNNING session ``session_id`` moves to ``owner`` if its owner is
        still not one of the live ``old_owners`` (checked in this statement)."""
        live = ""
        if old_owners:
            live = f" AND owner NOT IN ({', '.join('?' * len(old_owners))})"
        cur = self._db.exec(
            "UPDATE sessions SET owner = ? WHERE session_id = ? AND state = ?"
            f" AND owner <> ?{live}",
            owner,
            session_id,
            SessionState.RUNNING,
            owner,
            *sorted(old_owners),
        )
        return cur.rowcount == 1

    def set_owner(self, session_id: str, owner: str) -> None:
        self._db.exec(
            "UPDATE sessions SET owner = ? WHERE session_id = ?", owner, session_id
        )

    def new_run(self, session_id: str) -> int:
        self._db.exec(
            "UPDATE sessions SET run_epoch = run_epoch + 1 WHERE session_id = ?",
            session_id,
        )
        row = self._db.one(
            "SELECT run_epoch FROM sessions WHERE session_id = ?", session_id
        )
        return int(row[0]) if row else 0

    def run_is(self, session_id: str, epoch: int) -> bool:
        row = self._db.one(
            "SELECT run_epoch FROM sessions WHERE session_id = ?", session_id
        )
        return row is not None and int(row[0]) == epoch

    def finish(
        self,
        session_id: str,
        state: SessionState,
        *,
        error: str,
        return_value: str,
        stop_reason: str,
        t: str,
    ) -> bool:
        cur = self._db.exec(
            "UPDATE sessions SET state = ?, error = ?, return_value = ?, stop_reason = ?,"
            " updated_at = ? WHERE session_id = ? AND state IN (?, ?)",
            state,
            error,
            return_value,
            stop_reason,
            t,
            session_id,
            SessionState.CREATED,
            SessionState.RUNNING,
        )
        return bool(cur.rowcount)

    def stop_created(self, session_id: str, reason: str, t: str) -> bool:
        cur = self._db.exec(
            "UPDATE sessions SET state = ?, stop_reason = ?, updated_at = ?"
            " WHERE session_id = ? AND state = ?",
            SessionState.STOPPED,
            reason,
            t,
            session_id,
            SessionState.CREATED,
        )
        return bool(cur.rowcount)

    def find(self, f: SessionFilter, limit: int, offset: int = 0) -> list[SessionRow]:
        where: list[str] = []
        args: list[object] = []
        for col, value in (
            ("project_id", f.project_id),
            ("deployment_id", f.deployment_id),
            ("event_id", f.event_id),
            ("build_id", f.build_id),
            ("trigger_id", f.trigger_id),
        ):
            if value:
                where.append(f"{col} = ?")
                args.append(value)
        if f.state is not None:
            where.append("state = ?")
            args.append(f.state)
        if f.created_after:
            where.append("created_at >= ?")
            args.append(f.created_after)
        if f.created_before:
            where.append("created_at < ?")
            args.append(f.created_before)
        sql = f"SELECT {SESSION_COLS} FROM sessions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, session_id DESC LIMIT ? OFFSET ?"
        return [session_row(r) for r in self._db.all(sql, *args, limit, offset)]

    def latest_id(self, project_id: str) -> str | None:
        r = self._db.one(
            "SELECT session_id FROM sessions WHERE project_id = ?"
            " ORDER BY created_at DESC, session_id DESC LIMIT 1",
            project_id,
        )
        return None if r is None else str(r["session_id"])

    def delete(self, session_id: str) -> None:
        self._db.exec("DELETE FROM sessions WHERE session_id = ?", session_id)

    def state_counts(self, deployment_id: str) -> dict[SessionState, int]:
        rows = self._db.all(
            "SELECT state, COUNT(*) AS n FROM sessions WHERE deployment_id = ?"
            " GROUP BY state",
            deployment_id,
        )
        return {SessionState(r["state"]): int(r["n"]) for r in rows}

    def deployment_has_live(self, deployment_id: str) -> bool:
        r = self._db.one(
            "SELECT 1 FROM sessions WHERE deployment_id = ? AND state IN (?, ?) LIMIT 1",
            deployment_id,
            SessionState.CREATED,
            SessionState.RUNNING,
        )
        return r is not None

    def live_on_build(self, build_id: str) -> str | None:
        row = self._db.one(
            "SELECT session_id FROM sessions WHERE build_id = ?"
            " AND state IN (?, ?) LIMIT 1",
            build_id,
            SessionState.CREATED,
            SessionState.RUNNING,
        )
        return None if row is None else str(row["session_id"])

    def running_durable(self, project_id: str) -> list[SessionRow]:
        rows = self._db.all(
            f"SELECT {SESSION_COLS} FROM sessions WHERE project_id = ? AND state = ?"
            " AND is_durable = 1 ORDER BY created_at, session_id",
            project_id,
            SessionState.RUNNING,
        )
        return [session_row(r) for r in rows]

    def running_among(self, session_ids: list[str]) -> list[SessionRow]:
        if not session_ids:
            return []
        marks = ",".join("?" * len(session_ids))
        rows = self._db.all(
            f"SELECT {SESSION_COLS} FROM sessions WHERE session_id IN ({marks})"
            " AND state = ?",
            *session_ids,
            SessionState.RUNNING,
        )
        return [session_row(r) for r in rows]

    def move_build(self, session_id: str, build_id: str, deployment_id: str) -> bool:
        cur = self._db.exec(
            "UPDATE sessions SET build_id = ?, deployment_id = ? WHERE session_id = ?"
            " AND state = ?",
            build_id,
            deployment_id,
            session_id,
            SessionState.RUNNING,
        )
        return bool(cur.rowcount)

    def any_for_event(self, event_id: str) -> bool:
        row = self._db.one("SELECT 1 FROM sessions WHERE event_id = ?", event_id)
        return row is not None

    def live_for_event(self, event_id: str) -> bool:
        final = sorted(FINAL_SESSION_STATES)
        row = self._db.one(
            "SELECT 1 FROM sessions WHERE event_id = ? AND state NOT IN (?, ?, ?)",
            event_id,
            *final,
        )
        return row is not None

    def parent_of(self, session_id: str) -> str:
        row = self._db.one(
            "SELECT parent_session_id FROM sessions WHERE session_id = ?", session_id
        )
        return str(row[0] or "") if row is not None else ""

    def exists(self, session_id: str) -> bool:
        row = self._db.one("SELECT 1 FROM sessions WHERE session_id = ?", session_id)
        return row is not None
