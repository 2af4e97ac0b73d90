"""prints on SQLite."""

from __future__ import annotations

import sqlite3

from akcli.store.db import Database
from akcli.store.interface.prints import PrintRow


def print_row(r: sqlite3.Row) -> PrintRow:
    return PrintRow(
        id=r["id"],
        session_id=r["session_id"],
        key=r["key"],
        t=r["t"],
        text=r["text"],
    )


PRINT_COLS = "id, session_id, key, t, text"


class SqlitePrints:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, session_id: str, key: str, t: str, text: str) -> bool:
        cur = self._db.conn.execute(
            "INSERT OR IGNORE INTO session_prints (session_id, key, t, text)"
            " VALUES (?, ?, ?, ?)",
            (session_id, key, t, text),
        )
        return bool(cur.rowcount)

    def put(self, session_id: str, key: str, t: str, text: str) -> None:
        self._db.exec(
            "INSERT INTO session_prints (session_id, key, t, text)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (session_id, key)"
            " DO UPDATE SET text = excluded.text",
            session_id,
            key,
            t,
            text,
        )

    def stored_bytes(self, session_id: str, except_key: str = "") -> int:
        row = self._db.one(
            "SELECT COALESCE(SUM(LENGTH(CAST(text AS BLOB))), 0)"
            " FROM session_prints WHERE session_id = ? AND key != ?",
            session_id,
            except_key,
        )
        return int(row[0]) if row is not None else 0

    def page(
        self, session_id: str, after_id: int, limit: int, max_bytes: int
    ) -> tuple[list[PrintRow], bool]:
        cur = self._db.exec(
            f"SELECT {PRINT_COLS} FROM session_prints WHERE session_id = ? AND id > ?"
            " ORDER BY id LIMIT ?",
            session_id,
            after_id,
            limit + 1,
        )
        out: list[PrintRow] = []
        size = 0
        more = False
        try:
            for r in cur:  # stop reading at the budget: prints may be large
                if len(out) >= limit or (out and size >= max_bytes):
                    more = True
                    break
                size += len(r["text"])
                out.append(print_row(r))
        finally:
            cur.close()
        return out, more

    def delete_for_session(self, session_id: str) -> None:
        self._db.exec("DELETE FROM session_prints WHERE session_id = ?", session_id)
