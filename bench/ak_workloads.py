"""The side-by-side workloads (bench/sidebyside.py) on ak: one `ak up`, one durable project.

Figures come back as the dict the peers' scripts print (bench/peers/*.py):
w1_step_ms, w2_first_ms / w2_done_ms (lists), w3_per_s, w3_done, w4_rerun,
w4_restart_ms, w6_signal_ms (list), w6_timeout_over_ms.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import KeepAliveClient, ak, db, new_server, parse_ts, wait_for
from tests.server import AkServer

PROGRAM = """
import json
import os
import time

import autokitteh

MARKS = {marks!r}
GATE = {gate!r}


@autokitteh.activity
def noop(i):
    return i


@autokitteh.activity
def stamp():
    return time.time()


@autokitteh.activity
def mark(i):
    with open(MARKS, "a") as f:
        f.write(f"{{i}} {{time.time()!r}}\\n")
    while i == 11 and not os.path.exists(GATE):  # the bench kills ak up here
        time.sleep(0.01)
    return i


def chain(event):
    n = int(event.data["n"])
    noop(-1)
    t0 = time.perf_counter()
    for i in range(n):
        noop(i)
    t1 = time.perf_counter()
    print(f"W1 {{(t1 - t0) * 1000 / n}}")


def started(event):
    print(f"FIRST {{stamp()!r}}")


def ten(event):
    for i in range(10):
        noop(i)


def twenty(event):
    for i in range(1, 21):
        mark(i)


def waiter(event):
    timeout = float(json.loads(event.data.body.text)["timeout"])
    t = time.time()
    print("WAITING")
    got = autokitteh.next_signal("go", timeout=timeout)
    print(f"WOKE {{time.time()!r}} {{t!r}} {{got is not None}}")


def sender(event):
    target = json.loads(event.data.body.text)["sid"]
    t = time.time()
    autokitteh.signal(target, "go")
    print(f"SENT {{t!r}}")
"""

HOOKS = ("started", "ten", "twenty", "waiter", "sender")


def _manifest() -> str:
    lines = ["version: v1", "project:", "  name: sbs", "  triggers:"]
    for h in HOOKS:
        lines += [f"    - name: {h}", "      type: webhook"]
        lines += [f"      call: program.py:{h}", "      is_durable: true"]
    return "\n".join(lines) + "\n"


class Ak:
    """The server under test and its webhooks."""

    def __init__(self, server: AkServer, tmp: Path) -> None:
        self.server, self.tmp = server, tmp
        self.marks, self.gate = tmp / "w4-steps.txt", tmp / "w4-gate"
        proj = tmp / "proj"
        proj.mkdir(parents=True, exist_ok=True)
        (proj / "autokitteh.yaml").write_text(_manifest())
        (proj / "program.py").write_text(
            PROGRAM.format(marks=str(self.marks), gate=str(self.gate))
        )
        ak(server, "deploy", cwd=proj)
        self.urls: dict[str, str] = {}
        for h in HOOKS:
            out = json.loads(ak(server, "trigger", "get", h, "-p", "sbs", "-j"))
            t = out["trigger"]
            self.urls[h] = t.get("webhook_url") or (
                f"{server.url}/webhooks/{t['webhook_slug']}"
            )

    def post(self, hook: str, body: dict[str, Any] | None = None) -> str:
        c = KeepAliveClient(self.urls[hook])
        try:
            status, event_id = c.post(json.dumps(body or {}).encode())
        finally:
            c.close()
        if status != 202:
            raise RuntimeError(f"webhook {hook} answered {status}")
        return event_id

    def session(self, event_id: str, timeout: float = 60) -> tuple[str, str, str]:
        """(session_id, state, updated_at) once the event's session has ended."""
        row: list[Any] = []

        def ended() -> bool:
            with db(self.server) as conn:
                r = conn.execute(
                    "SELECT session_id, state, updated_at FROM sessions"
                    " WHERE event_id = ?",
                    (event_id,),
                ).fetchone()
            row[:] = list(r) if r else []
            return bool(row) and row[1] in ("completed", "error", "stopped")

        if not wait_for(ended, timeout, 0.005):
            raise RuntimeError(f"session of event {event_id} not ended: {row}")
        if row[1] != "completed":
            raise RuntimeError(f"session {row[0]} {row[1]}")
        return str(row[0]), str(row[1]), str(row[2])

    def session_id(self, event_id: str) -> str:
        got: list[str] = []

        def found() -> bool:
            with db(self.server) as conn:
                r = conn.execute(
                    "SELECT session_id FROM sessions WHERE event_id = ?", (event_id,)
                ).fetchone()
            got[:] = [str(r[0])] if r else []
            return bool(got)

        if not wait_for(found, 30, 0.005):
            raise RuntimeError(f"no session for event {event_id}")
        return got[0]

    def printed(self, sid: str, prefix: str) -> str:
        with db(self.server) as conn:
            r = conn.execute(
                "SELECT text FROM session_prints WHERE session_id = ? AND text LIKE ?",
                (sid, prefix + "%"),
            ).fetchone()
        return str(r[0]) if r else ""


def w1(a: Ak, n: int) -> float:
    out = ak(a.server, "session", "start", "-D", "-j", "-o", "sbs",
             "-p", "program.py:chain", "-I", f"n={n}")  # fmt: skip
    sid = json.loads(out)["session_id"]

    def state() -> str:
        with db(a.server) as conn:
            r = conn.execute(
                "SELECT state FROM sessions WHERE session_id = ?", (sid,)
            ).fetchone()
        return str(r[0]) if r else ""

    wait_for(lambda: state() in ("completed", "error", "stopped"), 600, 0.05)
    text = a.printed(sid, "W1 ")
    if not text:
        raise RuntimeError(f"W1 session {sid} {state()}")
    return float(text.split()[1])


def w2(a: Ak, runs: int) -> tuple[list[float], list[float]]:
    firsts, dones = [], []
    for i in range(runs + 2):
        t = time.time()
        sid, _, updated = a.session(a.post("started"))
        if i >= 2:  # warm-up
            firsts.append((float(a.printed(sid, "FIRST ").split()[1]) - t) * 1000)
            dones.append((parse_ts(updated) - t) * 1000)
    return firsts, dones


def w3(a: Ak, flows: int, seconds: float) -> tuple[float, int]:
    lock = threading.Lock()
    todo = list(range(flows))
    done = [0]
    errors: list[str] = []
    t0 = time.monotonic()
    deadline = t0 + seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                if not todo:
                    return
                todo.pop()
            try:
                a.session(a.post("ten"), timeout=120)
            except RuntimeError as e:
                errors.append(str(e))
                return
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(errors[0])
    return done[0] / (time.monotonic() - t0), done[0]


def w6(a: Ak, runs: int) -> tuple[list[float], float]:
    lat = []
    for _ in range(runs):
        ev = a.post("waiter", {"timeout": 60})
        sid = a.session_id(ev)
        wait_for(lambda s=sid: bool(a.printed(s, "WAITING")), 30, 0.005)
        time.sleep(0.05)  # into next_signal
        sent = a.session_id(a.post("sender", {"sid": sid}))
        a.session(ev)
        woke = float(a.printed(sid, "WOKE ").split()[1])
        lat.append((woke - float(a.printed(sent, "SENT ").split()[1])) * 1000)
    sid, _, _ = a.session(a.post("waiter", {"timeout": 0.5}))
    _, woke, began, got = a.printed(sid, "WOKE ").split()
    if got != "False":
        raise RuntimeError("W6: the timeout wait got a signal")
    return lat, (float(woke) - float(began) - 0.5) * 1000


def w4(a: Ak) -> tuple[int, float]:
    ev = a.post("twenty")
    if not wait_for(lambda: " 11 " in " " + _marks(a.marks) + " ", 60, 0.005):
        raise RuntimeError("W4: step 11 never started")
    a.server.kill9()
    a.gate.touch()
    restart = time.time()
    a.server.start(timeout=60)
    a.session(ev, timeout=120)
    marks = [line.split() for line in a.marks.read_text().splitlines()]
    steps = [int(i) for i, _ in marks]
    rerun = sum(1 for i in set(steps) if i <= 10 and steps.count(i) > 1)
    # The next step to start after the restart: step 11 again when its result
    # was not committed at the kill, else step 12 (its result was in the
    # runner's journal file: not run again).
    after = sorted(float(t) for i, t in marks if int(i) >= 11 and float(t) >= restart)
    if not after:
        raise RuntimeError("W4: no step started after the restart")
    return rerun, (after[0] - restart) * 1000


def _marks(path: Path) -> str:
    try:
        return " ".join(line.split()[0] for line in path.read_text().splitlines())
    except OSError:
        return ""


def run_all(
    tmp: Path, steps: int, runs: int, flows: int, seconds: float
) -> dict[str, Any]:
    server = new_server(tmp / "home").start(timeout=60)
    try:
        a = Ak(server, tmp)
        out: dict[str, Any] = {"w1_step_ms": w1(a, steps)}
        out["w2_first_ms"], out["w2_done_ms"] = w2(a, runs)
        out["w3_per_s"], out["w3_done"] = w3(a, flows, seconds)
        out["w6_signal_ms"], out["w6_timeout_over_ms"] = w6(a, runs)
        out["w4_rerun"], out["w4_restart_ms"] = w4(a)
    finally:
        server.stop()
    return out
