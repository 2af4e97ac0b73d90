"""The floor under a durable activity on this machine (issue 18).

A journaled activity needs at least one round trip between the runner process
and the server (the call's result goes to the server; the runner waits for the
ack) and one committed SQLite transaction. Measured bare here, in the same run
as the activity benchmark: a one-row INSERT + COMMIT with the store's pragmas
(WAL, synchronous=NORMAL) and a newline-framed ping-pong over a Unix socket
between two processes.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time

from bench.common import Row, median, tempdir

N = 10_000


def sqlite_commit_ms(path: str, n: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE j (sid TEXT, seq INTEGER, data BLOB, PRIMARY KEY (sid, seq))"
    )
    payload = b"x" * 64
    t0 = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO j VALUES (?, ?, ?)", ("s", i, payload))
        conn.execute("COMMIT")
    ms = (time.perf_counter() - t0) * 1000 / n
    conn.close()
    return ms


def socket_round_trip_ms(n: int) -> float:
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:  # the "runner": answer each line
        parent.close()
        try:
            with child.makefile("rb") as f:
                for line in f:
                    child.sendall(line)
        finally:
            os._exit(0)
    child.close()
    msg = b'{"type":"activity_done","seq":1}\n'
    with parent, parent.makefile("rb") as f:
        t0 = time.perf_counter()
        for _ in range(n):
            parent.sendall(msg)
            f.readline()
        ms = (time.perf_counter() - t0) * 1000 / n
        parent.shutdown(socket.SHUT_WR)  # EOF: the child exits
    os.waitpid(pid, 0)
    return ms


def run(quick: bool) -> list[Row]:
    n = 1000 if quick else N
    with tempdir("floor") as tmp:
        commit = median([sqlite_commit_ms(str(tmp / f"f{i}.db"), n) for i in range(3)])
    rtt = median([socket_round_trip_ms(n) for _ in range(3)])
    return [
        Row(
            "floor",
            f"SQLite one-row commit (WAL, synchronous=NORMAL), N={n}",
            commit,
            "ms",
            note="median of 3; the journal row's commit alone",
        ),
        Row(
            "floor",
            f"Unix socket ping-pong between two processes, N={n}",
            rtt,
            "ms",
            note="median of 3; one runner<->server round trip alone",
        ),
        Row(
            "floor",
            "floor of one durable activity (commit + round trip)",
            commit + rtt,
            "ms",
            target="<=0.1 ms (activity)",
            note="what ak's durable activity would cost with zero Python overhead",
        ),
    ]
