"""Benchmark 3, webhook latency: request sent -> first line of the handler running.

The handler's first statement prints `time.time()` (a non-durable session, so the
call runs inline); the bench records `time.time()` just before sending each
POST, each on a new connection (as most webhook senders do); a few more go
over one keep-alive connection, reported apart. Requests go one at a time, paced at
GAP seconds so they measure latency, not queueing. "→ COMPLETED" uses the
session's `updated_at` once it is completed (same machine clock).
"""

from __future__ import annotations

import time

from bench.common import (
    KeepAliveClient,
    Row,
    db,
    deploy_webhook_project,
    median,
    parse_ts,
    pct,
    running_server,
    tempdir,
    wait_for,
)

PROGRAM = """import time


def handler(event):
    t = time.time()
    print(f"T {t!r}")
"""

GAP = 0.04  # seconds between request starts
WARMUP = 10


def run(quick: bool) -> list[Row]:
    """Managed venv (as after `ak deploy`), then AK_WORKER_PYTHON (p50/p99 only)."""
    n = 50 if quick else 500
    rows = _measure(n, worker_python=False)
    for r in rows:
        r.figure += " [venv]"
    other = _measure(n // 2, worker_python=True)
    for r in other:
        r.figure += " [AK_WORKER_PYTHON]"
    return rows + [
        r
        for r in other
        if r.figure.split(" [")[0].endswith(("p50", "p99")) and "first line" in r.figure
    ]


def _measure(n: int, worker_python: bool) -> list[Row]:
    with (
        tempdir("hook") as tmp,
        running_server(tmp / "home", worker_python=worker_python) as server,
    ):
        url = deploy_webhook_project(server, tmp / "proj", "hookbench", PROGRAM)
        sent: dict[str, float] = {}  # new connection per request
        kept: dict[str, float] = {}  # one keep-alive connection
        keep = KeepAliveClient(url)
        for i in range(WARMUP + n + n // 5):
            fresh = i < WARMUP + n
            client = KeepAliveClient(url) if fresh else keep
            t = time.time()
            status, event_id = client.post(b'{"i": %d}' % i)
            if fresh:
                client.close()
            if status != 202:
                raise RuntimeError(f"webhook answered {status}")
            if i >= WARMUP:
                (sent if fresh else kept)[event_id] = t
            time.sleep(max(0.0, t + GAP - time.time()))
        keep.close()
        rtt = []  # baseline: GET /readyz on a new connection, same server
        for _ in range(WARMUP + n):
            client = KeepAliveClient(url)
            t = time.perf_counter()
            client.post(None, "GET", "/readyz")
            rtt.append((time.perf_counter() - t) * 1000)
            client.close()

        def done() -> list[tuple[str, str, str, str]]:
            with db(server) as conn:
                return conn.execute(
                    "SELECT s.event_id, s.state, s.updated_at, coalesce(p.text, '')"
                    " FROM sessions s LEFT JOIN session_prints p"
                    " ON p.session_id = s.session_id AND p.text LIKE 'T %'"
                    " WHERE s.state IN ('completed', 'error')"
                ).fetchall()

        total = WARMUP + n + n // 5
        wait_for(lambda: len(done()) >= total, timeout=120, step=0.2)
        finished = done()
        rows = [r for r in finished if r[0] in sent]
        kept_first = [
            (float(text.split()[1]) - kept[e]) * 1000
            for e, state, _, text in finished
            if e in kept and state == "completed" and text
        ]
    first: list[float] = []
    complete: list[float] = []
    errors = 0
    for event_id, state, updated_at, text in rows:
        if state != "completed" or not text:
            errors += 1
            continue
        first.append((float(text.split()[1]) - sent[event_id]) * 1000)
        complete.append((parse_ts(updated_at) - sent[event_id]) * 1000)
    note = f"{len(first)} of {n} requests"
    if errors:
        note += f"; {errors} sessions failed"
    if len(first) < n:
        note += f"; {n - len(rows)} not finished in 120 s"
    if not first:
        return [Row("webhook", "request -> handler first line", None, "", note=note)]
    b50, b99 = f"{pct(rtt, 50):.2f} ms", f"{pct(rtt, 99):.2f} ms"
    out = [
        Row(
            "webhook",
            "request -> handler first line p50",
            pct(first, 50),
            "ms",
            b50,
            pct(first, 50) / pct(rtt, 50),
            "<=5 ms",
            pct(first, 50) <= 5,
            note + "; baseline: GET /readyz round trip",
        ),
        Row("webhook", "request -> handler first line p95", pct(first, 95), "ms"),
        Row(
            "webhook",
            "request -> handler first line p99",
            pct(first, 99),
            "ms",
            b99,
            pct(first, 99) / pct(rtt, 99),
            "<=15 ms",
            pct(first, 99) <= 15,
        ),
        Row("webhook", "request -> session COMPLETED p50", median(complete), "ms"),
        Row("webhook", "request -> session COMPLETED p99", pct(complete, 99), "ms"),
        Row(
            "webhook",
            "same, p50 over one keep-alive connection",
            pct(kept_first, 50) if kept_first else None,
            "ms",
            note=f"{len(kept_first)} requests",
        ),
    ]
    return out
