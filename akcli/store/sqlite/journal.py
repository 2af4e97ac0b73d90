"""journal on SQLite."""

from __future__ import annotations

import sqlite3

from akcli.store.db import Database
from akcli.store.interface.journal import ActivityTiming, JournalRow


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

    def activity_timings(self, session_id: str) -> list[ActivityTiming]:
        rows = self._db.all(
            "SELECT seq, name, site, queue_s, exec_s, commit_s FROM journal"
            " WHERE session_id = ? AND kind = 'pickle' ORDER BY seq",
            session_id,
        )
        return [
            ActivityTiming(
                seq=r["seq"],
                name=r["name"],
                site=r["site"],
                queue_s=r["queue_s"],
                exec_s=r["exec_s"],
                commit_s=r["commit_s"],
            )
            for r in rows
        ]

    def sleeps(self, session_id: str) -> list[JournalRow]:
        rows = self._db.all(
            f"SELECT {JOURNAL_COLS} FROM journal WHERE session_id = ?"
            " AND name = 'sleep' AND is_error = 0 ORDER BY seq",
            session_id,
        )
        return [journal_row(r) for r in rows]

    def delete_for_session(self, session_id: str) -> None:
        self._db.exec("DELETE FROM journal WHERE session_id = ?", session_id)
