"""Every SQL statement of the product, translated by the PostgreSQL dialect,
is one PostgreSQL accepts: each is PREPAREd (parsed, names and types checked,
nothing run) on a migrated database. A failure names the file, the line, the
statement and PostgreSQL's error; such a statement needs a dialect rule or a
PostgreSQL override of its part method (akcli/store/postgres/<part>.py).

Statements are found in the source: the first argument of a call to
one / all / exec / many / execute / executemany that is a string, an f-string
of module-level names (e.g. the *_COLS lists) or a module-level string name.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import akcli

ROOT = Path(akcli.__file__).parent
_CALLS = {"one", "all", "exec", "many", "execute", "executemany"}
_DML = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
# PREPARE infers each parameter's type; at run time psycopg sends literal
# values (a ClientCursor), so a parameter PostgreSQL cannot type alone is fine.
_UNTYPED = "could not determine data type of parameter"


@dataclass(frozen=True)
class Statement:
    where: str  # file:line
    sql: str


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _text(node: ast.expr, path: Path, names: dict[str, Any] | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name | ast.JoinedStr | ast.BinOp):
        if names is None:
            return None
        try:
            value = eval(compile(ast.Expression(node), str(path), "eval"), dict(names))
        except Exception:  # names a local: not a statement we can see
            return None
        return value if isinstance(value, str) else None
    return None


def statements() -> list[Statement]:
    out: list[Statement] = []
    for path in sorted(ROOT.rglob("*.py")):
        if "postgres" in path.parts:
            continue
        source = path.read_text()
        if not any(f".{c}(" in source for c in _CALLS):
            continue
        names: dict[str, Any] | None = None
        tree = ast.parse(source, str(path))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _CALLS
                and node.args
            ):
                continue
            arg = node.args[0]
            if names is None and not isinstance(arg, ast.Constant):
                names = vars(importlib.import_module(_module(path)))
            sql = _text(arg, path, names)
            if sql and _DML.match(sql):
                out.append(
                    Statement(f"{path.relative_to(ROOT.parent)}:{node.lineno}", sql)
                )
    return out


def _numbered(pg_sql: str) -> str:
    """psycopg's %s placeholders as PREPARE's $1, $2, ... (%% back to %)."""
    n = 0

    def number(m: re.Match[str]) -> str:
        nonlocal n
        if m.group(0) == "%%":
            return "%"
        n += 1
        return f"${n}"

    return re.sub(r"%%|%s", number, pg_sql)


def test_statements_are_found() -> None:
    found = statements()
    assert len(found) > 20
    assert any("INSERT INTO session_logs" in s.sql for s in found)


def test_every_statement_prepares_on_postgres(pg_fresh_dsn: str) -> None:
    import psycopg

    from akcli.store.postgres.db import PgDatabase

    db = PgDatabase(pg_fresh_dsn)
    failures: list[str] = []
    try:
        with db.pool.connection() as conn:
            for i, st in enumerate(statements()):
                try:
                    pg = _numbered(db.translate(st.sql))
                    conn.execute(f"PREPARE ak_check_{i} AS {pg}")
                    conn.execute(f"DEALLOCATE ak_check_{i}")
                except (psycopg.Error, ValueError) as e:
                    msg = str(e).splitlines()[0]
                    if _UNTYPED not in msg:
                        failures.append(
                            f"{st.where}: {msg}\n    {' '.join(st.sql.split())}"
                        )
    finally:
        db.close()
    if failures:
        pytest.fail(
            f"{len(failures)} statements PostgreSQL rejects:\n" + "\n".join(failures)
        )
