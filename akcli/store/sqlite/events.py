"""events on SQLite."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from akcli.store.db import Database
from akcli.store.interface.events import EventRow, PendingFilterRow


def event_row(r: sqlite3.Row) -> EventRow:
    return EventRow(
        seq=r["seq"],
        event_id=r["event_id"],
        destination_id=r["destination_id"],
        project_id=r["project_id"],
        event_type=r["event_type"],
        data=json.loads(r["data"]),
        memo=json.loads(r["memo"]),
        created_at=r["created_at"],
        dispatched=bool(r["dispatched"]),
    )


EVENT_COLS = "seq, event_id, destination_id, project_id, event_type, data, memo, created_at, dispatched"


class SqliteEvents:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        *,
        event_id: str,
        destination_id: str,
        project_id: str,
        event_type: str,
        data: Any,
        memo: dict[str, str],
        created_at: str,
        dispatched: bool = False,
    ) -> None:
        self._db.exec(
            "INSERT INTO events (event_id, destination_id, project_id, event_type,"
            " data, memo, created_at, dispatched) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            event_id,
            destination_id,
            project_id,
            event_type,
            json.dumps(data),
            json.dumps(memo),
            created_at,
            int(dispatched),
        )

    def pending(self, after_seq: int, limit: int) -> list[EventRow]:
        rows = self._db.all(
            f"SELECT {EVENT_COLS} FROM events WHERE dispatched = 0 AND seq > ?"
            " ORDER BY seq LIMIT ?",
            after_seq,
            limit,
        )
        return [event_row(r) for r in rows]

    def claim(self, seq: int) -> bool:
        cur = self._db.exec(
            "UPDATE events SET dispatched = 1 WHERE seq = ? AND dispatched = 0", seq
        )
        return cur.rowcount == 1

    def is_dispatched(self, seq: int) -> bool | None:
        row = self._db.one("SELECT dispatched FROM events WHERE seq = ?", seq)
        return None if row is None else bool(row[0])

    def mark_dispatched(self, seq: int, memo: dict[str, Any] | None = None) -> None:
        if memo is None:
            self._db.exec("UPDATE events SET dispatched = 1 WHERE seq = ?", seq)
        else:
            self._db.exec(
                "UPDATE events SET dispatched = 1, memo = ? WHERE seq = ?",
                json.dumps(memo),
                seq,
            )

    def pending_filters(self, limit: int) -> list[PendingFilterRow]:
        rows = self._db.all(
            "SELECT e.seq, e.event_id, e.event_type, e.data, t.filter FROM events e"
            " JOIN triggers t ON t.trigger_id = e.destination_id"
            " WHERE e.dispatched = 0 AND t.filter != ''"
            " UNION ALL SELECT e.seq, e.event_id, e.event_type, e.data, t.filter"
            " FROM events e JOIN triggers t ON t.connection_id = e.destination_id"
            " WHERE e.dispatched = 0 AND t.filter != '' AND e.destination_id LIKE 'con^_%'"
            " ESCAPE '^' ORDER BY 1 LIMIT ?",
            limit,
        )
        return [PendingFilterRow(*r) for r in rows]

    def get(self, event_id: str) -> EventRow | None:
        r = self._db.one(
            f"SELECT {EVENT_COLS} FROM events WHERE event_id = ?", event_id
        )
        return None if r is None else event_row(r)

    def find(
        self,
        *,
        destination_id: str = "",
        project_id: str = "",
        event_type: str = "",
        newest_first: bool = True,
        limit: int = 0,
    ) -> list[EventRow]:
        where: list[str] = []
        args: list[str] = []
        if destination_id:
            where.append("destination_id = ?")
            args.append(destination_id)
        elif project_id:
            where.append("project_id = ?")
            args.append(project_id)
        if event_type:
            where.append("event_type = ?")
            args.append(event_type)
        sql = f"SELECT {EVENT_COLS} FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY seq {'DESC' if newest_first else 'ASC'}"
        if limit > 0:
            sql += f" LIMIT {int(limit)}"
        return [event_row(r) for r in self._db.all(sql, *args)]

    def max_seq(self) -> int:
        row = self._db.one("SELECT COALESCE(MAX(seq), 0) FROM events")
        return int(row[0]) if row is not None else 0

    def after(self, destination_id: str, after_seq: int, limit: int) -> list[EventRow]:
        rows = self._db.all(
            f"SELECT {EVENT_COLS} FROM events WHERE destination_id = ? AND seq > ?"
            " ORDER BY seq LIMIT ?",
            destination_id,
            after_seq,
            limit,
        )
        return [event_row(r) for r in rows]

    def dispatched_by_id(self, event_id: str) -> bool:
        row = self._db.one("SELECT dispatched FROM events WHERE event_id = ?", event_id)
        return row is not None and bool(row[0])
