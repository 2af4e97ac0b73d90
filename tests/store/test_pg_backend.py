"""The PostgreSQL backend's own machinery (the contract suite covers the parts):
the dialect translation, PgDatabase's rows / transactions / migrations, and
opening it from config (errors without the password)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from akcli.config import Config
from akcli.errors import AkError
from akcli.paths import Paths
from akcli.store.db import Database
from akcli.store.open import open_store, redact
from akcli.store.postgres.dialect import UntranslatableSql, translate

KEYS = {"w": ["sid"], "d": ["a", "b"]}


@pytest.mark.parametrize(
    ("sqlite", "pg"),
    [
        (
            "SELECT a FROM t WHERE b = ? AND c = ?",
            "SELECT a FROM t WHERE b = %s AND c = %s",
        ),
        ("SELECT '?%' || ? FROM t", "SELECT '?%%' || %s FROM t"),
        (
            "SELECT 'it''s ?' FROM t WHERE x LIKE ?",
            "SELECT 'it''s ?' FROM t WHERE x ILIKE %s",
        ),
        ("SELECT a % 2 FROM t", "SELECT a %% 2 FROM t"),
        (
            "INSERT OR IGNORE INTO t (a, b) VALUES (?, ?)",
            "INSERT INTO t (a, b) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        ),
        (
            "INSERT OR REPLACE INTO w (sid, seq, op) VALUES (?, ?, ?)",
            "INSERT INTO w (sid, seq, op) VALUES (%s, %s, %s)"
            " ON CONFLICT (sid) DO UPDATE SET seq = EXCLUDED.seq, op = EXCLUDED.op",
        ),
        (
            "INSERT OR IGNORE INTO d (a, b) VALUES (?, ?) RETURNING a",
            "INSERT INTO d (a, b) VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING a",
        ),
        (
            "SELECT 1 WHERE ? IN (SELECT value FROM json_each(w.names))",
            "SELECT 1 WHERE %s IN (SELECT value FROM json_array_elements_text((w.names)::json))",
        ),
        ("SELECT IFNULL(a, 0) FROM t;", "SELECT COALESCE(a, 0) FROM t"),
        (
            "SELECT a FROM t LIMIT ? OFFSET ?",
            "SELECT a FROM t LIMIT NULLIF(%s, -1) OFFSET %s",
        ),
        ("SELECT a FROM t LIMIT -1", "SELECT a FROM t LIMIT ALL"),
        (
            "SELECT SUM(LENGTH(CAST(p.text AS BLOB))) FROM p",
            "SELECT SUM(OCTET_LENGTH(p.text)) FROM p",
        ),
    ],
)
def test_translation(sqlite: str, pg: str) -> None:
    assert translate(sqlite, KEYS) == pg


def test_untranslatable_statements_say_so() -> None:
    with pytest.raises(UntranslatableSql):
        translate("INSERT OR REPLACE INTO nokey (a) VALUES (?)", KEYS)
    with pytest.raises(UntranslatableSql):
        translate("SELECT 'open", KEYS)


def test_redact_hides_the_password() -> None:
    assert (
        redact("postgresql://ak:s3cr3t@db:5432/ak") == "postgresql://ak:***@db:5432/ak"
    )
    assert redact("host=db password=s3cr3t user=ak") == "host=db password=*** user=ak"
    assert redact("postgresql://db/ak") == "postgresql://db/ak"


@pytest.fixture
def pgdb(pg_fresh_dsn: str):  # type: ignore[no-untyped-def]
    from akcli.store.postgres.db import PgDatabase

    db = PgDatabase(pg_fresh_dsn)
    yield db
    db.close()


def test_rows_rowcount_and_many(pgdb) -> None:  # type: ignore[no-untyped-def]
    pgdb.many(
        "INSERT INTO vars (scope_id, name, value) VALUES (?, ?, ?)",
        [("s", "a", "1"), ("s", "b", "2")],
    )
    pgdb.many("INSERT INTO vars (scope_id, name, value) VALUES (?, ?, ?)", [])
    r = pgdb.one("SELECT name AS theName, value FROM vars WHERE name = ?", "b")
    assert (r[0], r["theName"], r["thename"], r["value"]) == ("b", "b", "b", "2")
    assert r.keys() == ["thename", "value"] and dict(zip(r.keys(), r, strict=True)) == {
        "thename": "b",
        "value": "2",
    }
    assert (
        pgdb.exec("UPDATE vars SET value = ? WHERE scope_id = ?", "x", "s").rowcount
        == 2
    )
    assert (
        pgdb.exec(
            "INSERT OR IGNORE INTO vars (scope_id, name, value) VALUES ('s', 'a', 'y')"
        ).rowcount
        == 0
    )
    assert [r["value"] for r in pgdb.all("SELECT value FROM vars ORDER BY name")] == [
        "x",
        "x",
    ]
    assert (
        pgdb.one("SELECT SUM(is_secret) + 2 AS n FROM vars")["n"] == 2
    )  # int, as SQLite


def test_tx_nests_and_rolls_back_whole(pgdb) -> None:  # type: ignore[no-untyped-def]
    ins = "INSERT INTO vars (scope_id, name, value) VALUES ('s', ?, '')"
    with pytest.raises(RuntimeError), pgdb.tx():
        pgdb.exec(ins, "a")
        with pgdb.tx():
            pgdb.exec(ins, "b")
        raise RuntimeError
    assert pgdb.all("SELECT name FROM vars") == []
    with pgdb.tx():
        pgdb.exec(ins, "c")
        with pytest.raises(RuntimeError), pgdb.savepoint():
            pgdb.exec(ins, "d")
            raise RuntimeError
    assert [r[0] for r in pgdb.all("SELECT name FROM vars")] == ["c"]
    with pytest.raises(RuntimeError), pgdb.savepoint():
        pass


def test_a_tx_sees_no_other_writer(pgdb) -> None:  # type: ignore[no-untyped-def]
    """Write transactions take turns (as BEGIN IMMEDIATE on SQLite)."""
    order: list[str] = []
    inside = threading.Event()

    def other() -> None:
        inside.wait(5)
        with pgdb.tx():
            order.append("other")

    t = threading.Thread(target=other)
    t.start()
    with pgdb.tx():
        inside.set()
        t.join(0.3)
        order.append("first")
    t.join(5)
    assert order == ["first", "other"]


def test_migrations_mirror_sqlite_and_run_once(
    pg_fresh_dsn: str, tmp_path: Path
) -> None:
    from akcli.store.postgres.db import PgDatabase, migrations

    dbs: list[PgDatabase] = []
    threads = [
        threading.Thread(target=lambda: dbs.append(PgDatabase(pg_fresh_dsn)))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(dbs) == 3
    pg = dbs[0]
    lite = Database(tmp_path / "x.sqlite")
    try:
        version = int(lite.one("PRAGMA user_version")[0])
        assert [n for n, _ in migrations()] == [
            int(p.name.split("_")[0]) for p in sorted(Path(lite_dir()).glob("*.sql"))
        ]
        assert [r[0] for r in pg.all("SELECT version FROM schema_version")] == [version]
        tables = [
            r[0]
            for r in lite.all("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            if table.startswith("sqlite_"):
                continue
            want = [r["name"] for r in lite.all(f"PRAGMA table_info({table})")]
            got = pg.all(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = ?"
                " ORDER BY ordinal_position",
                table,
            )
            assert [r[0] for r in got] == want, table
    finally:
        lite.close()
        for db in dbs:
            db.close()


def lite_dir() -> Path:
    import akcli.store

    return Path(akcli.store.__file__).parent / "migrations"


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://ak:Sup3rS3cret@127.0.0.1:1/ak",  # nothing listens on port 1
        "postgresql://ak:Sup3rS3cret@127.0.0.1:notaport/ak",
        "host=127.0.0.1 port=1 password=Sup3rS3cret bogus",
    ],
)
def test_bad_dsn_is_one_error_without_the_password(dsn: str, tmp_path: Path) -> None:
    paths = Paths(tmp_path / "c", tmp_path / "d", tmp_path / "k")
    config = Config(paths=paths, overrides={"db.type": "postgres", "db.dsn": dsn})
    with pytest.raises(AkError) as e:
        open_store("default", config, paths)
    msg = str(e.value)
    assert "Sup3rS3cret" not in msg and "\n" not in msg
    assert "db.dsn" in msg


def test_unknown_db_type(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "c", tmp_path / "d", tmp_path / "k")
    config = Config(paths=paths, overrides={"db.type": "oracle"})
    with pytest.raises(AkError, match="db.type must be one of sqlite, postgres"):
        open_store("dev", config, paths)


def test_the_cli_and_the_server_load_no_psycopg() -> None:
    code = (
        "import sys, akcli.main, akcli.server.run, akcli.engine.context, akcli.store.open\n"
        "print(sorted(n for n in sys.modules if n.startswith('psycopg')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_text_sorts_bytewise_as_on_sqlite(pgdb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    names = [("s", n, "") for n in ("ab", "a_b", "B", "a", "é", "a-b")]
    lite = Database(tmp_path / "x.sqlite")
    try:
        got = []
        for db in (lite, pgdb):
            db.many("INSERT INTO vars (scope_id, name, value) VALUES (?, ?, ?)", names)
            got.append([r[0] for r in db.all("SELECT name FROM vars ORDER BY name")])
        assert got[0] == got[1]
    finally:
        lite.close()


def test_errors_are_the_sqlite3_ones_callers_catch(pgdb) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    ins = "INSERT INTO vars (scope_id, name, value) VALUES ('s', ?, '')"
    pgdb.exec(ins, "a")
    with pytest.raises(sqlite3.IntegrityError):
        pgdb.exec(ins, "a")
    with pytest.raises(sqlite3.DatabaseError):
        pgdb.one("SELECT nope FROM vars")
    with pgdb.tx():  # a savepoint keeps the transaction going past an error
        with pytest.raises(sqlite3.IntegrityError), pgdb.savepoint():
            pgdb.exec(ins, "a")
        pgdb.exec(ins, "b")
    assert [r[0] for r in pgdb.all("SELECT name FROM vars ORDER BY name")] == ["a", "b"]


def test_a_failed_insert_in_a_tx_is_undone_alone(pgdb) -> None:  # type: ignore[no-untyped-def]
    """As on SQLite: the caller catches IntegrityError and the tx goes on."""
    import sqlite3

    ins = "INSERT INTO vars (scope_id, name, value) VALUES ('s', ?, '')"
    pgdb.exec(ins, "a")
    with pgdb.tx():
        assert pgdb.exec(ins, "b").rowcount == 1
        with pytest.raises(sqlite3.IntegrityError):
            pgdb.exec(ins, "a")
        r = pgdb.one(
            "INSERT INTO signals (session_id, name, payload, created_at)"
            " VALUES ('s', 'n', '{}', 't') RETURNING id"
        )
        assert r is not None and r["id"] >= 1
    assert [r[0] for r in pgdb.all("SELECT name FROM vars ORDER BY name")] == ["a", "b"]


def test_connections_lost_are_replaced(pgdb, pg_dsn: str) -> None:  # type: ignore[no-untyped-def]
    """A dropped connection fails the statement on it (OperationalError, which
    the callers retry or report), not the ones after it."""
    import sqlite3

    import psycopg

    pgdb.exec("INSERT INTO vars (scope_id, name, value) VALUES ('s', 'a', '')")
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s",
            (pgdb.dsn.rsplit("/", 1)[1],),
        ).fetchone()
    assert killed is not None and killed[0] >= 1
    failed = 0
    for _ in range(3):
        try:
            assert pgdb.one("SELECT COUNT(*) FROM vars")[0] == 1
        except sqlite3.OperationalError:
            failed += 1
    assert failed <= 1
    with pgdb.tx():
        pgdb.exec("INSERT INTO vars (scope_id, name, value) VALUES ('s', 'b', '')")
    assert pgdb.one("SELECT COUNT(*) FROM vars")[0] == 2
