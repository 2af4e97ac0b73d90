"""`ak session log --timings` and the duration `ak session get` shows."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from akcli.output import Renderer


def _cell(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"


def show_timings(out: Renderer, resp: dict[str, Any]) -> None:
    """Per activity: queue, execution and journal-commit ms; then the session's
    engine overhead. With -j: one JSON object per activity, then the total."""
    acts = list(resp.get("activities") or [])
    total = resp.get("engine_overhead_ms")
    if out.is_json:
        out.raw_items([*acts, {"engine_overhead_ms": total}])
        return
    rows = [("SEQ", "ACTIVITY", "QUEUE_MS", "EXEC_MS", "COMMIT_MS")]
    for a in acts:
        rows.append(
            (
                str(a.get("seq")),
                str(a.get("name")),
                _cell(a.get("queue_ms")),
                _cell(a.get("execution_ms")),
                _cell(a.get("commit_ms")),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        out.text("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    out.text(f"engine overhead: {_cell(total)} ms")


def _unix(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


def session_duration(session: dict[str, Any]) -> str | None:
    """From creation to the end (or to now, while it runs), as ``1.234s``."""
    start = _unix(str(session.get("created_at") or ""))
    if start is None:
        return None
    final = str(session.get("state") or "").rsplit("_", 1)[-1] in (
        "COMPLETED",
        "ERROR",
        "STOPPED",
    )
    end = _unix(str(session.get("updated_at") or "")) if final else time.time()
    if end is None:
        return None
    return f"{max(end - start, 0.0):.3f}s"
