"""deployments on SQLite."""

from __future__ import annotations

import sqlite3

from akcli.states import DeploymentState
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
