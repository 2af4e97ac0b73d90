"""The SQLite backend of the store: one `Database` (connection, pragmas,
migrations, transactions) and one class per part of `akcli.store.interface`."""

from __future__ import annotations

from contextlib import AbstractContextManager

from akcli.store.db import Database
from akcli.store.sqlite.builds import SqliteBuilds
from akcli.store.sqlite.connections import SqliteConnections
from akcli.store.sqlite.dedup import SqliteDedup
from akcli.store.sqlite.deployments import SqliteDeployments
from akcli.store.sqlite.events import SqliteEvents
from akcli.store.sqlite.journal import SqliteJournal
from akcli.store.sqlite.logs import SqliteLogs
from akcli.store.sqlite.outcomes import SqliteOutcomes
from akcli.store.sqlite.prints import SqlitePrints
from akcli.store.sqlite.projects import SqliteProjects
from akcli.store.sqlite.sessions import SqliteSessions
from akcli.store.sqlite.signals import SqliteSignals
from akcli.store.sqlite.subscriptions import SqliteSubscriptions
from akcli.store.sqlite.triggers import SqliteTriggers
from akcli.store.sqlite.values import SqliteValues
from akcli.store.sqlite.vars import SqliteVars
from akcli.store.sqlite.waits import SqliteWaits
from akcli.store.sqlite.workers import SqliteWorkers


class SqliteStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.builds = SqliteBuilds(db)
        self.connections = SqliteConnections(db)
        self.dedup = SqliteDedup(db)
        self.deployments = SqliteDeployments(db)
        self.events = SqliteEvents(db)
        self.journal = SqliteJournal(db)
        self.logs = SqliteLogs(db)
        self.outcomes = SqliteOutcomes(db)
        self.prints = SqlitePrints(db)
        self.projects = SqliteProjects(db)
        self.sessions = SqliteSessions(db)
        self.signals = SqliteSignals(db)
        self.subscriptions = SqliteSubscriptions(db)
        self.triggers = SqliteTriggers(db)
        self.values = SqliteValues(db)
        self.vars = SqliteVars(db)
        self.waits = SqliteWaits(db)
        self.workers = SqliteWorkers(db)

    def tx(self) -> AbstractContextManager[object]:
        return self.db.tx()

    def savepoint(self) -> AbstractContextManager[None]:
        return self.db.savepoint()

    def close(self) -> None:
        self.db.close()
