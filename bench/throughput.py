"""Benchmark 4, throughput: sessions/s for a trivial webhook handler.

C client threads (1, 8, 32), each with its own keep-alive connection, POST as
fast as they can; each level has its own project. Rate = completed sessions /
(last session completed - first request sent). Accepted (202) events must equal
completed sessions: any difference is a lost event.
"""

from __future__ import annotations

import threading
import time

from bench.common import (
    KeepAliveClient,
    Row,
    count_states,
    db,
    deploy_webhook_project,
    parse_ts,
    running_server,
    tempdir,
    wait_for,
)

PROGRAM = "def handler(event):\n    pass\n"
TARGET = 400.0  # issue 18


def _level(url: str, clients: int, total: int) -> tuple[int, int, float, int]:
    """Send `total` requests from `clients` threads; (accepted, other, t0, reconnects)."""
    per = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    accepted = [0] * clients
    other = [0] * clients
    reconnects = [0] * clients
    start = threading.Barrier(clients + 1)

    def worker(i: int) -> None:
        c = KeepAliveClient(url)
        start.wait()
        for _ in range(per[i]):
            try:
                status, _ = c.post()
            except Exception:
                other[i] += 1
                continue
            if status == 202:
                accepted[i] += 1
            else:
                other[i] += 1
        reconnects[i] = c.reconnects
        c.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.time()
    for t in threads:
        t.join()
    return sum(accepted), sum(other), t0, sum(reconnects)


def run(quick: bool) -> list[Row]:
    """Managed venv (as after `ak deploy`) at 1/8/32 clients; AK_WORKER_PYTHON at 8."""
    levels = {1: 60, 8: 120, 32: 160} if quick else {1: 300, 8: 800, 32: 1200}
    rows = _measure(levels, worker_python=False)
    for r in rows:
        r.figure += " [venv]"
    other = _measure({8: levels[8]}, worker_python=True)
    for r in other:
        r.figure += " [AK_WORKER_PYTHON]"
    return rows + other


def _measure(levels: dict[int, int], worker_python: bool) -> list[Row]:
    rows: list[Row] = []
    with (
        tempdir("tput") as tmp,
        running_server(tmp / "home", worker_python=worker_python) as server,
    ):
        urls = {
            c: deploy_webhook_project(server, tmp / f"p{c}", f"tput{c}", PROGRAM)
            for c in levels
        }
        # warm-up: zygote started, code cached
        w = deploy_webhook_project(server, tmp / "pw", "tputwarm", PROGRAM)
        _level(w, 2, 20)
        wait_for(lambda: count_states(server, "tputwarm").get("completed", 0) >= 20, 60)
        for clients, total in levels.items():
            project = f"tput{clients}"
            accepted, other, t0, reconnects = _level(urls[clients], clients, total)
            t_sent = time.time()

            def finished(p: str = project) -> int:
                s = count_states(server, p)
                return sum(s.get(k, 0) for k in ("completed", "error", "stopped"))

            wait_for(lambda a=accepted: finished() >= a, timeout=180, step=0.2)
            states = count_states(server, project)
            with db(server) as conn:
                (last,) = conn.execute(
                    "SELECT max(s.updated_at) FROM sessions s JOIN projects p"
                    " USING (project_id) WHERE p.name = ?",
                    (project,),
                ).fetchone()
            completed = states.get("completed", 0)
            rate = completed / (parse_ts(last) - t0) if last else 0.0
            lost = accepted - completed
            note = (
                f"{accepted} accepted, {completed} completed, {lost} lost; "
                f"requests {accepted / (t_sent - t0):.0f}/s"
            )
            if other:
                note += f"; {other} non-202/failed requests"
            if reconnects:
                note += f"; {reconnects} reconnects"
            if set(states) - {"completed"}:
                note += f"; states {states}"
            rows.append(
                Row(
                    "throughput",
                    f"sessions/s, {clients} client(s)",
                    rate,
                    "/s",
                    target=f">={TARGET:.0f}/s, 0 lost",
                    met=rate >= TARGET and lost == 0,
                    note=note,
                )
            )
    return rows
