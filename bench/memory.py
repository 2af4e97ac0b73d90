"""Benchmark 5, memory: server RSS idle and with K concurrently sleeping sessions.

K webhooks start K non-durable sessions that `time.sleep(S)`; once all K are
RUNNING we read VmRSS (and PSS: shared pages split among sharers) from /proc
for the server, its zygote(s) and the runners (the zygote's children).
"""

from __future__ import annotations

import time

from bench.common import (
    KeepAliveClient,
    Row,
    count_states,
    deploy_webhook_project,
    median,
    pss_mb,
    rss_mb,
    running_server,
    tempdir,
    wait_for,
    zygotes_and_runners,
)

PROGRAM = "import time\n\n\ndef handler(event):\n    time.sleep({sleep})\n"


def run(quick: bool) -> list[Row]:
    k, sleep = (20, 20) if quick else (100, 60)
    rows: list[Row] = []
    with tempdir("mem") as tmp, running_server(tmp / "home") as server:
        assert server.proc is not None
        pid = server.proc.pid
        time.sleep(1)
        idle_fresh = rss_mb(pid)
        url = deploy_webhook_project(
            server, tmp / "proj", "membench", PROGRAM.format(sleep=sleep)
        )
        time.sleep(1)
        idle = rss_mb(pid)
        rows.append(
            Row(
                "memory",
                "server RSS idle (after a deploy)",
                idle,
                "MB",
                f"{idle_fresh:.1f} MB just started" if idle_fresh else "",
                target="<=80 MB",
                met=idle is not None and idle <= 80,
            )
        )
        client = KeepAliveClient(url)
        t0 = time.monotonic()
        for i in range(k):
            client.post(b'{"i": %d}' % i)
        client.close()
        all_running = wait_for(
            lambda: count_states(server, "membench").get("running", 0) >= k,
            timeout=sleep - 10,
            step=0.2,
        )
        t_running = time.monotonic() - t0
        time.sleep(1)
        states = count_states(server, "membench")
        zygotes, runners = zygotes_and_runners(pid)
        server_rss = rss_mb(pid)
        r_rss = [x for x in map(rss_mb, runners) if x is not None]
        r_pss = [x for x in map(pss_mb, runners) if x is not None]
        z_rss = [x for x in map(rss_mb, zygotes) if x is not None]
        note = f"{states.get('running', 0)} running ({t_running:.1f} s to start all)"
        if not all_running:
            note += f"; not all {k} RUNNING: {states}"
        rows.append(
            Row(
                "memory",
                f"server RSS, {k} sleeping sessions",
                server_rss,
                "MB",
                f"{idle:.1f} MB idle" if idle else "",
                server_rss / idle if server_rss and idle else None,
                note=note,
            )
        )
        if not r_rss:
            rows.append(
                Row(
                    "memory",
                    "runner RSS",
                    None,
                    "",
                    target="<=25 MB",
                    note=f"no runner processes found under {zygotes}",
                )
            )
            return rows
        rows.append(
            Row(
                "memory",
                f"runner RSS median ({len(r_rss)} runners)",
                median(r_rss),
                "MB",
                target="<=25 MB",
                met=max(r_rss) <= 25,
                note=f"max {max(r_rss):.1f} MB; PSS median {median(r_pss):.1f} MB"
                f" (shared pages split); zygote RSS {sum(z_rss):.1f} MB",
            )
        )
        total = (
            (server_rss or 0) + sum(r_pss) + sum(x for x in map(pss_mb, zygotes) if x)
        )
        rows.append(
            Row(
                "memory",
                f"server RSS + zygote and {len(r_pss)} runners PSS",
                total,
                "MB",
            )
        )
    return rows
