"""SQLite statements of the workers part (PostgreSQL runs them translated)."""

from __future__ import annotations

from akcli.states import SessionState
from akcli.store.db import Database
from akcli.store.interface.workers import StopRequestRow


class SqliteWorkers:
    def __init__(self, db: Database) -> None:
        self._db = db

    def register(self, worker_id: str, host: str, pid: int, t: str, hb: float) -> None:
        self._db.exec(
            "INSERT INTO workers (worker_id, host, pid, started_at, heartbeat_at)"
            " VALUES (?, ?, ?, ?, ?)",
            worker_id,
            host,
            pid,
            t,
            hb,
        )

    def heartbeat(self, worker_id: str, hb: float) -> None:
        cur = self._db.exec(
            "UPDATE workers SET heartbeat_at = ? WHERE worker_id = ?", hb, worker_id
        )
        if cur.rowcount == 0:
            self.register(worker_id, "", 0, "", hb)

    def remove(self, worker_id: str) -> None:
        self._db.exec("DELETE FROM workers WHERE worker_id = ?", worker_id)

    def live(self, since: float) -> set[str]:
        rows = self._db.all(
            "SELECT worker_id FROM workers WHERE heartbeat_at >= ?", since
        )
        return {r[0] for r in rows}

    def orphaned_running(self, me: str, since: float) -> list[str]:
        rows = self._db.all(
            "SELECT s.session_id FROM sessions s WHERE s.state = ? AND s.owner <> ?"
            " AND NOT EXISTS (SELECT 1 FROM workers w WHERE w.worker_id = s.owner"
            " AND w.heartbeat_at >= ?) ORDER BY s.created_at",
            SessionState.RUNNING,
            me,
            since,
        )
        return [r[0] for r in rows]

    def add_stop(self, session_id: str, reason: str, force: bool, t: str) -> None:
        self._db.exec(
            "INSERT INTO stop_requests (session_id, reason, force, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET"
            " reason = excluded.reason, force = excluded.force,"
            " created_at = excluded.created_at",
            session_id,
            reason,
            int(force),
            t,
        )

    def stops_for(self, owner: str) -> list[StopRequestRow]:
        rows = self._db.all(
            "SELECT r.session_id, r.reason, r.force FROM stop_requests r"
            " JOIN sessions s USING (session_id) WHERE s.owner = ? AND s.state = ?",
            owner,
            SessionState.RUNNING,
        )
        return [StopRequestRow(r[0], r[1], bool(r[2])) for r in rows]

    def delete_stop(self, session_id: str) -> None:
        self._db.exec("DELETE FROM stop_requests WHERE session_id = ?", session_id)
