"""Durability RPCs: an activity's timings (``ak session log --timings``)."""

from __future__ import annotations

from typing import Any

from akcli.server.rpc import req_str, row_by_id, rpc
from akcli.server.state import Server


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 3)


@rpc("sessions", "GetTimings")
def get_timings(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """Per activity: queue, execution and journal-commit milliseconds; per
    session: the engine overhead (the sum of queue and commit times)."""
    sid = req_str(body, "session_id", "session ID")
    row_by_id(srv, "session", "ses", sid)
    rows = srv.db.all(
        "SELECT seq, name, site, queue_s, exec_s, commit_s FROM journal"
        " WHERE session_id = ? AND kind = 'pickle' ORDER BY seq",
        sid,
    )
    activities = []
    overhead = 0.0
    for r in rows:
        for part in (r["queue_s"], r["commit_s"]):
            overhead += part or 0.0
        activities.append(
            {
                "seq": r["seq"],
                "name": r["name"],
                "queue_ms": _ms(r["queue_s"]),
                "execution_ms": _ms(r["exec_s"]),
                "commit_ms": _ms(r["commit_s"]),
            }
        )
    return {"activities": activities, "engine_overhead_ms": _ms(overhead)}
