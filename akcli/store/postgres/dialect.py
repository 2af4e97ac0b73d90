"""SQLite statements as PostgreSQL runs them: a small, explicit translation.

The part classes of `akcli.store.sqlite` are written in SQLite's dialect; the
few constructs they use that PostgreSQL spells differently are rewritten here,
once per distinct statement (cached). Anything else passes through unchanged:
a statement that cannot be rewritten this way gets a PostgreSQL override of
its part method in `akcli.store.postgres` instead.

- `?` placeholders -> `%s` (psycopg's) outside string literals; `%` -> `%%`
- `INSERT OR IGNORE INTO` -> `INSERT INTO ... ON CONFLICT DO NOTHING`
- `INSERT OR REPLACE INTO t (cols)` -> `... ON CONFLICT (t's primary key)
  DO UPDATE SET` every other named column (the keys come from the catalog)
- `json_each(x)` (of a JSON list) -> `json_array_elements_text(x::json)`
- `LENGTH(CAST(col AS BLOB))` (a text's UTF-8 bytes) -> `OCTET_LENGTH(col)`
- `LIMIT ?` -> `LIMIT NULLIF(?, -1)`, `LIMIT -1` -> `LIMIT ALL` (SQLite's no limit)
- `IFNULL(` -> `COALESCE(`; `LIKE` -> `ILIKE` (SQLite's LIKE ignores ASCII case)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_INSERT_OR = re.compile(
    r"^\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\s+(\w+)\s*\(([^)]*)\)",
    re.IGNORECASE,
)
_RETURNING = re.compile(r"\sRETURNING\s", re.IGNORECASE)
_JSON_EACH = re.compile(r"\bjson_each\(([^()]+)\)", re.IGNORECASE)
_BYTE_LENGTH = re.compile(
    r"\bLENGTH\(\s*CAST\(\s*([\w.]+)\s+AS\s+BLOB\s*\)\s*\)", re.IGNORECASE
)
_LIMIT_PARAM = re.compile(r"\bLIMIT\s+\?", re.IGNORECASE)
_LIMIT_NONE = re.compile(r"\bLIMIT\s+-1\b", re.IGNORECASE)
_IFNULL = re.compile(r"\bIFNULL\(", re.IGNORECASE)
_LIKE = re.compile(r"\bLIKE\b", re.IGNORECASE)


class UntranslatableSql(ValueError):
    """A statement this translation cannot rewrite (give its part method a
    PostgreSQL override)."""


def _split_literals(sql: str) -> list[tuple[bool, str]]:
    """(is_literal, text) pieces: '...' strings and "..." identifiers kept whole."""
    out: list[tuple[bool, str]] = []
    i = start = 0
    while i < len(sql):
        c = sql[i]
        if c in "'\"":
            j = i + 1
            while True:
                j = sql.find(c, j)
                if j < 0:
                    raise UntranslatableSql(f"unterminated quote in: {sql}")
                if j + 1 < len(sql) and sql[j + 1] == c:  # '' is an escaped quote
                    j += 2
                    continue
                break
            out.append((False, sql[start:i]))
            out.append((True, sql[i : j + 1]))
            i = start = j + 1
            continue
        i += 1
    out.append((False, sql[start:]))
    return out


def _code(text: str) -> str:
    # SQLite's LIMIT -1 is no limit; PostgreSQL's is LIMIT NULL (or ALL).
    text = _LIMIT_PARAM.sub("LIMIT NULLIF(?, -1)", text)
    text = _LIMIT_NONE.sub("LIMIT ALL", text)
    text = text.replace("?", "%s")
    text = _JSON_EACH.sub(r"json_array_elements_text((\1)::json)", text)
    text = _BYTE_LENGTH.sub(r"OCTET_LENGTH(\1)", text)
    text = _IFNULL.sub("COALESCE(", text)
    return _LIKE.sub("ILIKE", text)


def _conflict_clause(
    sql: str, primary_keys: Mapping[str, Sequence[str]]
) -> tuple[str, str]:
    """The statement without `OR IGNORE/REPLACE` and the ON CONFLICT to append."""
    m = _INSERT_OR.match(sql)
    if m is None:
        return sql, ""
    verb, table, cols = m.group(1).upper(), m.group(2), m.group(3)
    head = f"INSERT INTO {table} ({cols})"
    rest = head + sql[m.end() :]
    if verb == "IGNORE":
        return rest, " ON CONFLICT DO NOTHING"
    keys = primary_keys.get(table.lower())
    if not keys:
        raise UntranslatableSql(f"INSERT OR REPLACE into {table}: no primary key")
    named = [c.strip() for c in cols.split(",")]
    others = [c for c in named if c.lower() not in keys]
    if not others:
        return rest, f" ON CONFLICT ({', '.join(keys)}) DO NOTHING"
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in others)
    # Other UNIQUE constraints than the key would make SQLite delete those rows
    # too; none of the tables written this way has one.
    return rest, f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"


def translate(sql: str, primary_keys: Mapping[str, Sequence[str]]) -> str:
    """`sql` (SQLite dialect) as PostgreSQL runs it through psycopg."""
    sql, conflict = _conflict_clause(sql.rstrip().rstrip(";"), primary_keys)
    if conflict:
        m = _RETURNING.search(sql)
        at = m.start() if m else len(sql)
        sql = sql[:at] + conflict + sql[at:]
    # psycopg reads every `%` as a placeholder, in literals too.
    sql = sql.replace("%", "%%")
    return "".join(
        text if literal else _code(text) for literal, text in _split_literals(sql)
    )
