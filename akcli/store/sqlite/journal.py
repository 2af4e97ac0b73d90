"""journal on SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

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

    def add(
        self,
        session_id: str,
        seq: int,
        name: str,
        kind: str,
        value: str,
        is_error: bool,
        created_at: str,
        site: str = "",
        args_hash: str = "",
        queue_s: float | None = None,
        exec_s: float | None = None,
    ) -> None:
        self._db.conn.execute(
            "INSERT OR IGNORE INTO journal (session_id, seq, name, kind, value,"
            " is_error, created_at, site, args_hash, queue_s, exec_s)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                seq,
                name,
                kind,
                value,
                int(is_error),
                created_at,
                site,
                args_hash,
                queue_s,
                exec_s,
            ),
        )

    def add_many(
        self,
        session_id: str,
        rows: Sequence[
            tuple[int, str, str, str, bool, str, str, str, float | None, float | None]
        ],
    ) -> None:
        self._db.conn.executemany(
            "INSERT OR IGNORE INTO journal (session_id, seq, name, kind, value,"
            " is_error, created_at, site, args_hash, queue_s, exec_s)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(session_id, *r[:4], int(r[4]), *r[5:]) for r in rows],
        )

    def get(self, session_id: str, seq: int) -> JournalRow | None:
        r = self._db.one(
            f"SELECT {JOURNAL_COLS} FROM journal WHERE session_id = ? AND seq = ?",
            session_id,
            seq,
        )
        return journal_row(r) if r is not None else None

    def for_session(self, session_id: str) -> list[JournalRow]:
        rows = self._db.all(
            f"SELECT {JOURNAL_COLS} FROM journal WHERE session_id = ? ORDER BY seq",
            session_id,
        )
        return [journal_row(r) for r in rows]

    def set_commit_times(
        self, session_id: str, times: Sequence[tuple[float, int]]
    ) -> None:
        self._db.many(
            "UPDATE journal SET commit_s = ? WHERE session_id = ? AND seq = ?",
            [(dt, session_id, seq) for dt, seq in times],
        )

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

    def last(self, session_id: str) -> JournalRow | None:
        r = self._db.one(
            f"SELECT {JOURNAL_COLS} FROM journal WHERE session_id = ?"
            " ORDER BY seq DESC LIMIT 1",
            session_id,
        )
        return journal_row(r) if r is not None else None
