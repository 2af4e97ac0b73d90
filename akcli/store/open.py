"""Which backend holds the state: `db.type` (sqlite | postgres) and `db.dsn`.

psycopg is imported only for `db.type: postgres`, so the CLI's start stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

from akcli.config import Config
from akcli.errors import AkError
from akcli.paths import Paths
from akcli.store.db import Database
from akcli.store.interface import Store
from akcli.store.sqlite import SqliteStore

TYPES = ("sqlite", "postgres")


def redact(dsn: str) -> str:
    """The DSN without its password (for messages and logs)."""
    password = dsn_password(dsn)
    return dsn.replace(password, "***") if password else dsn


def dsn_password(dsn: str) -> str:
    if "://" in dsn:
        try:
            return urlsplit(dsn).password or ""
        except ValueError:
            return ""
    for part in dsn.split():  # key=value form
        key, _, value = part.partition("=")
        if key.strip() == "password":
            return value.strip("'")
    return ""


def _open_postgres(dsn: str) -> Database:
    import psycopg

    from akcli.store.postgres.db import PgDatabase

    if not dsn:
        raise AkError(
            "db.type is postgres but db.dsn is not set"
            " (e.g. ak config set db.dsn postgresql://user:password@host:5432/ak)"
        )
    try:
        db = PgDatabase(dsn)
    except psycopg.Error as e:
        detail = " ".join(str(e).split())
        password = dsn_password(dsn)
        if password:
            detail = detail.replace(password, "***")
        raise AkError(
            f"cannot use the PostgreSQL database {redact(dsn)}: {detail}"
            " (check db.dsn and that the server is up and reachable)"
        ) from None
    # PgDatabase has the interface the parts use of Database (see postgres/db.py).
    return cast(Database, db)


def open_database(mode: str, config: Config, paths: Paths) -> Database:
    """The server's database: in memory in test mode, else as configured."""
    kind = config.get("db.type") or "sqlite"
    if kind not in TYPES:
        raise AkError(
            f"db.type must be one of {', '.join(TYPES)}, not {kind!r}"
            " (e.g. ak config set db.type postgres)"
        )
    dsn = config.get("db.dsn")
    if kind == "postgres":
        return _open_postgres(dsn)
    if mode == "test":
        return Database(None)
    if dsn:
        return Database(Path(dsn.removeprefix("sqlite:").removeprefix("file:")))
    if mode == "default":
        raise AkError(
            "db config must be specified (e.g. ak config set db.dsn /path/ak.sqlite,"
            " or use: ak up --mode dev)"
        )
    return Database(paths.db_file)


def store_for(db: Database) -> Store:
    """The store over an open database (either backend's)."""
    if getattr(db, "dialect", "sqlite") == "postgres":
        from akcli.store.postgres import PostgresStore
        from akcli.store.postgres.db import PgDatabase

        return PostgresStore(cast(PgDatabase, db))
    return SqliteStore(db)


def open_store(mode: str, config: Config, paths: Paths) -> Store:
    return store_for(open_database(mode, config, paths))
