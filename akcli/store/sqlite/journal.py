"""journal on SQLite."""

from __future__ import annotations

import sqlite3

from akcli.store.db import Database
from akcli.store.interface.journal import JournalRow


def journal_row(r: sqlite3.Row) -> JournalRow:
    return JournalRow(
        session_id=r["session_id"],
        seq=r["seq"],
        name=r["name"],
        kind=r["kind"],
        value=r["value"],
        is_error=bool(r["is_error"]),
        created_at=r["created_at"],
        site=r["site"],
        args_hash=r["args_hash"],
        queue_s=r["queue_s"],
        exec_s=r["exec_s"],
        commit_s=r["commit_s"],
    )


JOURNAL_COLS = "session_id, seq, name, kind, value, is_error, created_at, site, args_hash, queue_s, exec_s, commit_s"


class SqliteJournal:
    def __init__(self, db: Database) -> None:
        self._db = db
