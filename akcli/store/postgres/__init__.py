"""The PostgreSQL backend of the store: the SQLite part classes over a
`PgDatabase` (their statements translated by `dialect`), with a PostgreSQL
override of a part method only where a statement cannot be translated.

Importing this package imports psycopg: only `akcli.store.open` does, and
only for `db.type: postgres`.
"""

from __future__ import annotations

from typing import cast

from akcli.store.db import Database
from akcli.store.postgres.db import PgDatabase
from akcli.store.sqlite import SqliteStore


class PostgresStore(SqliteStore):
    def __init__(self, db: PgDatabase) -> None:
        # The parts use Database's one/all/exec/many/tx/savepoint, which
        # PgDatabase has too (rows: PgRow, a duck of sqlite3.Row).
        super().__init__(cast(Database, db))
        self.pg = db
