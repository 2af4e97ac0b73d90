"""Waiting sessions: K durable sessions waiting on `next_signal`, their runners evicted.

K webhooks start K durable sessions that each print and wait on
`next_signal("go", timeout=3600)`; with `pythonrt.evict_after` = EVICT_AFTER
their runners exit and the waits live in the store (table `session_waits`).
Figures: time from the first request until all K waits are evicted; server
RSS + zygotes' and runners' PSS then (target: <= 1 GB for 10,000); then one
session signals a sample of S waiters, one every PACE seconds, and each
waiter prints `time.time()` when it is running again: wake-up p50/p99 from
the `signal()` call (target p99 <= 100 ms). Without eviction (no
`session_waits` table on this server) the rows say "n/a (no eviction)": K
runner processes would be K processes, so nothing is started.
"""

from __future__ import annotations

import json
import threading
import time

from bench.common import (
    KeepAliveClient,
    Row,
    ak,
    db,
    pct,
    pss_mb,
    rss_mb,
    running_server,
    tempdir,
    wait_for,
    zygotes_and_runners,
)

EVICT_AFTER = "1s"
PACE = 0.02
TARGETS = {"start": "", "memory": "<=1024 MB", "p50": "", "p99": "<=100 ms"}

MANIFEST = """version: v1
project:
  name: waiters
  triggers:
    - name: wait
      type: webhook
      call: program.py:waiter
      is_durable: true
    - name: go
      type: webhook
      call: program.py:go
"""

PROGRAM = """
import json
import time

import autokitteh


def waiter(event):
    print("WAITING")
    got = autokitteh.next_signal("go", timeout=3600)
    print(f"WOKE {time.time()!r} {got is not None}")


def go(event):
    for sid in json.loads(event.data.body.text):
        t = time.time()
        autokitteh.signal(sid, "go")
        print(f"SENT {sid} {t!r}")
        time.sleep(PACE)
""".replace("PACE", repr(PACE))


def _figures(k: int) -> list[str]:
    return [
        f"{k} waiting sessions: first request -> all evicted",
        f"{k} waiting sessions: server RSS + zygote/runner PSS",
        f"{k} waiting sessions: wake-up after eviction p50",
        f"{k} waiting sessions: wake-up after eviction p99",
    ]


def _na(k: int, why: str) -> list[Row]:
    keys = list(TARGETS)
    return [
        Row("waiting", f, None, "", target=TARGETS[keys[i]], note=why)
        for i, f in enumerate(_figures(k))
    ]


def _post_all(url: str, k: int, clients: int = 8) -> list[str]:
    ids: list[list[str]] = [[] for _ in range(clients)]

    def worker(i: int) -> None:
        c = KeepAliveClient(url)
        for _ in range(i, k, clients):
            status, eid = c.post()
            if status == 202:
                ids[i].append(eid)
        c.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [e for part in ids for e in part]


def run(quick: bool) -> list[Row]:
    k, sample = (50, 20) if quick else (10_000, 200)
    env = {"AK_PYTHONRT__EVICT_AFTER": EVICT_AFTER}
    with tempdir("wait") as tmp, running_server(tmp / "home", env) as server:
        with db(server) as conn:
            has = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'session_waits'"
            ).fetchone()
        if not has:
            return _na(k, "n/a (no eviction): this server has no session_waits")
        proj = tmp / "proj"
        proj.mkdir()
        (proj / "autokitteh.yaml").write_text(MANIFEST)
        (proj / "program.py").write_text(PROGRAM)
        ak(server, "deploy", cwd=proj)
        urls = {}
        for h in ("wait", "go"):
            t = json.loads(ak(server, "trigger", "get", h, "-p", "waiters", "-j"))
            t = t["trigger"]
            urls[h] = (
                t.get("webhook_url") or f"{server.url}/webhooks/{t['webhook_slug']}"
            )

        def evicted() -> int:
            with db(server) as conn:
                (n,) = conn.execute(
                    "SELECT count(*) FROM session_waits WHERE evicted = 1"
                ).fetchone()
            return int(n)

        t0 = time.monotonic()
        events = _post_all(urls["wait"], k)
        ok = wait_for(lambda: evicted() >= len(events), 120 + k / 50, 0.2)
        t_all = time.monotonic() - t0
        if not ok:
            return _na(k, f"only {evicted()} of {len(events)} evicted in {t_all:.0f} s")
        time.sleep(0.5)
        assert server.proc is not None
        zygotes, runners = zygotes_and_runners(server.proc.pid)
        mem = (rss_mb(server.proc.pid) or 0) + sum(
            x for x in map(pss_mb, zygotes + runners) if x
        )
        with db(server) as conn:
            sids = [
                str(r[0])
                for r in conn.execute(
                    "SELECT session_id FROM sessions WHERE event_id IN"
                    f" ({','.join('?' * sample)})",
                    events[:sample],
                )
            ]
        c = KeepAliveClient(urls["go"])
        c.post(json.dumps(sids).encode())
        c.close()

        def woke() -> dict[str, float]:
            with db(server) as conn:
                rows = conn.execute(
                    "SELECT session_id, text FROM session_prints"
                    " WHERE text LIKE 'WOKE %'"
                ).fetchall()
            return {str(s): float(t.split()[1]) for s, t in rows}

        wait_for(lambda: len(woke()) >= len(sids), 60 + sample * PACE * 2, 0.2)
        with db(server) as conn:
            sent = {
                t.split()[1]: float(t.split()[2])
                for (t,) in conn.execute(
                    "SELECT text FROM session_prints WHERE text LIKE 'SENT %'"
                )
            }
        lat = [(w - sent[s]) * 1000 for s, w in woke().items() if s in sent]
    f = _figures(k)
    note = f"{len(events)} accepted; evict_after {EVICT_AFTER}"
    rows = [
        Row("waiting", f[0], t_all, "s", note=note),
        Row("waiting", f[1], mem, "MB", target=TARGETS["memory"], met=mem <= 1024,
            note=f"{len(zygotes)} zygote(s), {len(runners)} runner(s) left"),
    ]  # fmt: skip
    if not lat:
        return rows + [
            Row("waiting", x, None, "", note="no waiter woke") for x in f[2:]
        ]
    note = f"{len(lat)} of {len(sids)} woke; signals {PACE * 1000:.0f} ms apart"
    rows += [
        Row("waiting", f[2], pct(lat, 50), "ms", note=note),
        Row("waiting", f[3], pct(lat, 99), "ms", target=TARGETS["p99"],
            met=pct(lat, 99) <= 100),
    ]  # fmt: skip
    return rows
