"""PostgreSQL with the interface the part classes use of `akcli.store.db.Database`:
one / all / exec / many, tx() (nested calls join), savepoint(), close().

Statements are SQLite's, translated by `dialect.translate`. A psycopg_pool
pool holds the connections (autocommit); a transaction holds one of them, per
thread, from BEGIN to COMMIT. Every write transaction first takes one
database-wide advisory lock: one writer at a time, what BEGIN IMMEDIATE gives
on SQLite (the parts' read-then-write steps, e.g. MAX(seq) + 1, rely on it).

psycopg is imported here only: `ak --help` and the SQLite backend never load it.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg_pool import ConnectionPool

from akcli.store.postgres import nul
from akcli.store.postgres.dialect import translate

if TYPE_CHECKING:
    from psycopg import Connection

_INSERT = re.compile(r"^\s*INSERT\b", re.IGNORECASE)
_ON_CONFLICT = re.compile(r"\bON\s+CONFLICT\b", re.IGNORECASE)

# pg_advisory_xact_lock keys (any two fixed bigints this program owns).
_WRITE_LOCK = 0x616B_7772  # "akwr"
_MIGRATE_LOCK = 0x616B_6D67  # "akmg"


class PgRow:
    """A result row like sqlite3.Row: r[0], r["col"] (any case), keys()."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            i = self._index.get(key)
            if i is None:
                i = self._index[key.lower()]
            return self._values[i]
        return self._values[key]

    def keys(self) -> list[str]:
        # The index maps each name and its lower case; the first one is the name.
        seen: dict[int, str] = {}
        for k, i in self._index.items():
            seen.setdefault(i, k)
        return list(seen.values())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"PgRow({dict(zip(self.keys(), self._values, strict=True))})"


class PgResult:
    """What exec() returns: a sqlite3.Cursor's rowcount and fetch methods over
    the rows of a SELECT / RETURNING (read whole: the connection goes back to
    the pool before exec returns)."""

    def __init__(self, rowcount: int, rows: list[PgRow]) -> None:
        self.rowcount = rowcount
        self._rows = rows

    def fetchone(self) -> PgRow | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[PgRow]:
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int = 1) -> list[PgRow]:
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def __iter__(self) -> Iterator[PgRow]:
        return iter(self.fetchall())

    def close(self) -> None:
        self._rows = []


class SqliteConnLike:
    """What `tx()` yields and `conn` is: sqlite3.Connection's execute and
    executemany, translated. For code that has not moved into the store's
    parts yet (issue 14) and still uses the connection directly."""

    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    @property
    def in_transaction(self) -> bool:
        return self._db.in_tx

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgResult:
        return self._db.exec(sql, *params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._db.many(sql, list(rows))


class _NumericLoader(Loader):
    """NUMERIC (what SUM() of integers is) as int or float, as SQLite gives."""

    def load(self, data: Any) -> int | float:
        d = Decimal(bytes(data).decode())
        return int(d) if d == d.to_integral_value() else float(d)


class _BoolDumper(Dumper):
    """Python bools into INTEGER 0/1 columns (the schema has no BOOLEAN)."""

    oid = psycopg.adapters.types["int4"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


def as_sqlite_error(e: psycopg.Error) -> sqlite3.Error:
    """The sqlite3 exception the callers' handlers expect (a unique key taken:
    IntegrityError; the server gone: OperationalError), until the store has
    error types of its own. Note: after an error inside tx() PostgreSQL has
    aborted the transaction; a savepoint() around the statement keeps it."""
    msg = " ".join(str(e).split())
    if isinstance(e, psycopg.IntegrityError):
        return sqlite3.IntegrityError(msg)
    if isinstance(e, psycopg.OperationalError):
        return sqlite3.OperationalError(msg)
    return sqlite3.DatabaseError(msg)


def _configure(conn: Connection[Any]) -> None:
    conn.adapters.register_loader("numeric", _NumericLoader)
    conn.adapters.register_dumper(bool, _BoolDumper)
    nul.register(conn)


def _rows(cur: psycopg.Cursor[Any]) -> list[PgRow]:
    if cur.description is None:
        return []
    index: dict[str, int] = {}
    for i, col in enumerate(cur.description):
        index.setdefault(col.name, i)
        index.setdefault(col.name.lower(), i)
    return [PgRow(values, index) for values in cur.fetchall()]


def migrations() -> list[tuple[int, str]]:
    root = resources.files("akcli.store") / "migrations_pg"
    out = []
    for entry in root.iterdir():
        if entry.name.endswith(".sql"):
            out.append((int(entry.name.split("_", 1)[0]), entry.read_text()))
    return sorted(out)


class PgDatabase:
    dialect = "postgres"

    def __init__(self, dsn: str, max_size: int = 8, timeout: float = 10) -> None:
        """Connects (raises psycopg.Error when it cannot) and migrates."""
        self.dsn = dsn
        self.path = None  # the SQLite file of `Database`: none here
        self.pool: ConnectionPool[Connection[Any]] = ConnectionPool(
            dsn,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True, "cursor_factory": psycopg.ClientCursor},
            configure=_configure,
            open=False,
            timeout=timeout,
            name="ak-store",
        )
        self._local = threading.local()
        self._keys: dict[str, list[str]] = {}
        self._sql: dict[str, str] = {}
        # One plain connection first: its error says what is wrong (the pool's
        # background attempts would only time out).
        psycopg.connect(dsn, connect_timeout=max(2, int(timeout))).close()
        self.pool.open(wait=True, timeout=timeout)
        try:
            self.migrate()
            self._load_keys()
        except BaseException:
            self.pool.close()
            raise

    # -- schema -------------------------------------------------------------

    def migrate(self) -> int:
        """Apply the migrations not applied yet, under an advisory lock: several
        servers starting on one database migrate it once."""
        with self.pool.connection() as conn:
            conn.execute("BEGIN")
            try:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
                )
                row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
                version = int(row[0]) if row and row[0] is not None else 0
                for number, sql in migrations():
                    if number <= version:
                        continue
                    for statement in sql.split(";\n"):
                        if statement.strip():
                            conn.execute(statement)
                    version = number
                conn.execute("DELETE FROM schema_version")
                conn.execute(
                    "INSERT INTO schema_version (version) VALUES (%s)", (version,)
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return version

    def _load_keys(self) -> None:
        """Each table's primary key columns (for INSERT OR REPLACE)."""
        rows = self.all(
            "SELECT t.relname, a.attname FROM pg_index i"
            " JOIN pg_class t ON t.oid = i.indrelid"
            " JOIN pg_namespace n ON n.oid = t.relnamespace"
            " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indisprimary AND n.nspname = current_schema()"
            " ORDER BY t.relname, array_position(i.indkey, a.attnum)"
        )
        keys: dict[str, list[str]] = {}
        for r in rows:
            keys.setdefault(r[0], []).append(r[1])
        self._keys = keys

    def translate(self, sql: str) -> str:
        out = self._sql.get(sql)
        if out is None:
            out = self._sql[sql] = translate(sql, self._keys)
        return out

    # -- transactions ---------------------------------------------------------

    @property
    def _conn(self) -> Connection[Any] | None:
        conn: Connection[Any] | None = getattr(self._local, "conn", None)
        return conn

    @property
    def in_tx(self) -> bool:
        return self._conn is not None

    @property
    def conn(self) -> SqliteConnLike:
        return SqliteConnLike(self)

    @contextmanager
    def tx(self) -> Iterator[SqliteConnLike]:
        """A write transaction; nested calls join the outer one."""
        if self._conn is not None:
            yield SqliteConnLike(self)
            return
        try:
            conn = self.pool.getconn()
        except psycopg.Error as e:
            raise as_sqlite_error(e) from e
        self._local.conn = conn
        try:
            conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({_WRITE_LOCK})")
            yield SqliteConnLike(self)
        except BaseException as e:
            # The error that got here is the one to raise, not a broken
            # connection's (the pool drops a broken one when it comes back).
            with contextlib.suppress(psycopg.Error):
                conn.execute("ROLLBACK")
            if isinstance(e, psycopg.Error):
                raise as_sqlite_error(e) from e
            raise
        else:
            try:
                conn.execute("COMMIT")
            except psycopg.Error as e:
                raise as_sqlite_error(e) from e
        finally:
            self._local.conn = None
            self.pool.putconn(conn)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside tx(): a part that is undone alone if it raises."""
        conn = self._conn
        if conn is None:
            raise RuntimeError("savepoint() outside tx()")
        conn.execute("SAVEPOINT part")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO SAVEPOINT part; RELEASE SAVEPOINT part")
            raise
        conn.execute("RELEASE SAVEPOINT part")

    # -- statements -----------------------------------------------------------

    @contextmanager
    def _cursor(self) -> Iterator[psycopg.Cursor[Any]]:
        conn = self._conn
        try:
            if conn is not None:
                with conn.cursor() as cur:
                    yield cur
                return
            with self.pool.connection() as conn, conn.cursor() as cur:
                yield cur
        except psycopg.Error as e:
            raise as_sqlite_error(e) from e

    def _run(self, sql: str, args: Sequence[Any]) -> PgResult:
        """Run one statement. Inside tx() a plain INSERT runs in a savepoint of
        its own, sent with it in one round trip: a failing one (a key taken,
        which callers catch) is undone alone and the transaction goes on, as
        on SQLite; PostgreSQL would abort the whole transaction."""
        pg = self.translate(sql)
        guard = (
            self._conn is not None
            and _INSERT.match(pg) is not None
            and _ON_CONFLICT.search(pg) is None
        )
        with self._cursor() as cur:
            if not guard:
                cur.execute(pg, args)
                return PgResult(cur.rowcount, _rows(cur))
            try:
                cur.execute(f"SAVEPOINT ak_stmt; {pg}; RELEASE SAVEPOINT ak_stmt", args)
            except psycopg.Error:
                cur.execute("ROLLBACK TO SAVEPOINT ak_stmt; RELEASE SAVEPOINT ak_stmt")
                raise
            cur.nextset()  # the INSERT's own result, after the SAVEPOINT's
            return PgResult(cur.rowcount, _rows(cur))

    def exec(self, sql: str, *args: Any) -> PgResult:
        return self._run(sql, args)

    def one(self, sql: str, *args: Any) -> PgRow | None:
        rows = self._run(sql, args).fetchall()
        return rows[0] if rows else None

    def all(self, sql: str, *args: Any) -> list[PgRow]:
        return self._run(sql, args).fetchall()

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement over many parameter rows (executemany)."""
        if not rows:
            return
        with self._cursor() as cur:
            cur.executemany(self.translate(sql), rows)

    def close(self) -> None:
        self.pool.close()
