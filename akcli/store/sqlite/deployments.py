"""deployments on SQLite."""

from __future__ import annotations

import sqlite3

from akcli.states import DeploymentState, SessionState
from akcli.store.db import Database
from akcli.store.interface.deployments import DeploymentRow


def deployment_row(r: sqlite3.Row) -> DeploymentRow:
    return DeploymentRow(
        deployment_id=r["deployment_id"],
        project_id=r["project_id"],
        build_id=r["build_id"],
        state=DeploymentState(r["state"]),
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


DEPLOYMENT_COLS = "deployment_id, project_id, build_id, state, created_at, updated_at"


class SqliteDeployments:
    def __init__(self, db: Database) -> None:
        self._db = db

    def active(self, project_id: str) -> list[DeploymentRow]:
        rows = self._db.all(
            f"SELECT {DEPLOYMENT_COLS} FROM deployments"
            " WHERE project_id = ? AND state = ? ORDER BY created_at",
            project_id,
            DeploymentState.ACTIVE,
        )
        return [deployment_row(r) for r in rows]

    def has_active(self, project_id: str) -> bool:
        row = self._db.one(
            "SELECT 1 FROM deployments WHERE project_id = ? AND state = ? LIMIT 1",
            project_id,
            DeploymentState.ACTIVE,
        )
        return row is not None

    def of_session(self, session_id: str) -> DeploymentRow | None:
        r = self._db.one(
            f"SELECT {DEPLOYMENT_COLS} FROM deployments WHERE deployment_id ="
            " (SELECT deployment_id FROM sessions WHERE session_id = ?)",
            session_id,
        )
        return deployment_row(r) if r is not None else None

    def retire_if_drained(self, session_id: str, t: str) -> None:
        self._db.exec(
            "UPDATE deployments SET state = ?, updated_at = ?"
            " WHERE state = ? AND deployment_id ="
            " (SELECT deployment_id FROM sessions WHERE session_id = ?)"
            " AND NOT EXISTS (SELECT 1 FROM sessions WHERE deployment_id ="
            " deployments.deployment_id AND state IN (?, ?))",
            DeploymentState.INACTIVE,
            t,
            DeploymentState.DRAINING,
            session_id,
            SessionState.CREATED,
            SessionState.RUNNING,
        )

    def get(self, deployment_id: str) -> DeploymentRow | None:
        r = self._db.one(
            f"SELECT {DEPLOYMENT_COLS} FROM deployments WHERE deployment_id = ?",
            deployment_id,
        )
        return None if r is None else deployment_row(r)

    def create(
        self,
        deployment_id: str,
        project_id: str,
        build_id: str,
        state: DeploymentState,
        t: str,
    ) -> None:
        self._db.exec(
            f"INSERT INTO deployments ({DEPLOYMENT_COLS}) VALUES (?, ?, ?, ?, ?, ?)",
            deployment_id,
            project_id,
            build_id,
            state,
            t,
            t,
        )

    def find(
        self,
        project_id: str = "",
        build_id: str = "",
        state: DeploymentState | None = None,
    ) -> list[DeploymentRow]:
        where: list[str] = []
        args: list[str] = []
        for col, value in (
            ("project_id", project_id),
            ("build_id", build_id),
            ("state", state or ""),
        ):
            if value:
                where.append(f"{col} = ?")
                args.append(value)
        sql = f"SELECT {DEPLOYMENT_COLS} FROM deployments"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, deployment_id DESC"
        return [deployment_row(r) for r in self._db.all(sql, *args)]

    def active_for_project(self, project_id: str) -> DeploymentRow | None:
        r = self._db.one(
            f"SELECT {DEPLOYMENT_COLS} FROM deployments WHERE project_id = ?"
            " AND state = ? ORDER BY created_at DESC, deployment_id DESC LIMIT 1",
            project_id,
            DeploymentState.ACTIVE,
        )
        return None if r is None else deployment_row(r)

    def ids_in_state(
        self, project_id: str, state: DeploymentState, exclude: str = ""
    ) -> list[str]:
        rows = self._db.all(
            "SELECT deployment_id FROM deployments"
            " WHERE project_id = ? AND state = ? AND deployment_id != ?",
            project_id,
            state,
            exclude,
        )
        return [str(r["deployment_id"]) for r in rows]

    def set_state(self, deployment_id: str, state: DeploymentState, t: str) -> None:
        self._db.exec(
            "UPDATE deployments SET state = ?, updated_at = ? WHERE deployment_id = ?",
            state,
            t,
            deployment_id,
        )

    def delete(self, deployment_id: str) -> None:
        self._db.exec("DELETE FROM deployments WHERE deployment_id = ?", deployment_id)

    def uses_build(self, build_id: str) -> bool:
        row = self._db.one(
            "SELECT 1 FROM deployments WHERE build_id = ? LIMIT 1", build_id
        )
        return row is not None
