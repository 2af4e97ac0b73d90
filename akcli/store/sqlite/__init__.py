"""The SQLite backend of the store: one `Database` (connection, pragmas,
migrations, transactions) and one class per part of `akcli.store.interface`."""

from __future__ import annotations

from contextlib import AbstractContextManager

from akcli.store.db import Database
from akcli.store.sqlite.connections import SqliteConnections
from akcli.store.sqlite.logs import SqliteLogs
from akcli.store.sqlite.sessions import SqliteSessions
from akcli.store.sqlite.vars import SqliteVars


class SqliteStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.connections = SqliteConnections(db)
        self.logs = SqliteLogs(db)
        self.sessions = SqliteSessions(db)
        self.vars = SqliteVars(db)

    def tx(self) -> AbstractContextManager[object]:
        return self.db.tx()

    def savepoint(self) -> AbstractContextManager[None]:
        return self.db.savepoint()

    def close(self) -> None:
        self.db.close()
