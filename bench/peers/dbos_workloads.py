"""Run inside bench/.venvs/dbos: the side-by-side workloads on DBOS (SQLite system database).

Usage: python dbos_workloads.py WORKDIR STEPS RUNS FLOWS
       python dbos_workloads.py WORKDIR --w4 crash|recover   (W4's two processes)

W1 a workflow of STEPS no-op steps; W2 start_workflow -> first step running and
-> result; W3 FLOWS workflows x 10 steps from 16 threads; W4 a 20-step workflow
whose step 11 kills its own process on its first attempt, recovered by the next
DBOS.launch(); W6 recv(timeout) woken by send(), and a recv that times out.
"""

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dbos import DBOS

WORKDIR = Path(sys.argv[1])
DB = WORKDIR / "dbos.sqlite"
MARKS = WORKDIR / "w4-steps.txt"
FIRST: dict[str, float] = {}

DBOS(
    config={
        "name": "akbench",
        "system_database_url": f"sqlite:///{DB}",
        "log_level": "WARNING",
    }
)
logging.getLogger("dbos").setLevel(logging.WARNING)


@DBOS.step()
def noop(i: int) -> int:
    return i


@DBOS.step()
def first(key: str) -> None:
    FIRST[key] = time.time()


@DBOS.workflow()
def chain(n: int) -> float:
    t = time.perf_counter()
    for i in range(n):
        noop(i)
    return time.perf_counter() - t


@DBOS.workflow()
def started(key: str) -> None:
    first(key)


@DBOS.workflow()
def ten() -> None:
    for i in range(10):
        noop(i)


@DBOS.step()
def mark(i: int) -> None:
    with MARKS.open("a") as f:
        f.write(f"{i} {time.time()!r}\n")
    if i == 11 and os.environ.get("W4") == "crash":
        os.kill(os.getpid(), signal.SIGKILL)


@DBOS.workflow()
def twenty() -> None:
    for i in range(1, 21):
        mark(i)


@DBOS.workflow()
def waiter(timeout: float) -> float:
    got = DBOS.recv("go", timeout_seconds=timeout)
    return time.time() if got is not None else -time.time()


def w1(n: int) -> float:
    chain(10)  # warm-up
    return chain(n) * 1000 / n


def w2(runs: int) -> tuple[list[float], list[float]]:
    firsts, dones = [], []
    for i in range(runs + 2):
        key = f"w2-{i}"
        t = time.time()
        DBOS.start_workflow(started, key).get_result()
        done = time.time()
        if i >= 2:  # warm-up
            firsts.append((FIRST[key] - t) * 1000)
            dones.append((done - t) * 1000)
    return firsts, dones


def w3(flows: int) -> float:
    def one(_: int) -> None:
        DBOS.start_workflow(ten).get_result()

    t = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, range(flows)))
    return flows / (time.perf_counter() - t)


def w6(runs: int) -> tuple[list[float], float]:
    lat = []
    for _ in range(runs):
        h = DBOS.start_workflow(waiter, 60.0)
        time.sleep(0.05)  # let it reach recv
        t = time.time()
        DBOS.send(h.get_workflow_id(), "x", "go")
        lat.append((h.get_result() - t) * 1000)
    t = time.time()
    woke = DBOS.start_workflow(waiter, 0.5).get_result()
    return lat, (-woke - t - 0.5) * 1000


def w4_phase(phase: str) -> None:
    t = time.time()
    DBOS.launch()  # recovers the crashed workflow (executor "local")
    if phase == "crash":
        DBOS.start_workflow(twenty).get_result()  # killed at step 11
    else:
        while True:  # wait for the recovered workflow to finish
            lines = MARKS.read_text().split()
            if "20" in lines[::2]:
                break
            time.sleep(0.01)
        print(json.dumps({"restart_at": t}))
    DBOS.destroy()


def w4() -> tuple[int, float]:
    env = {**os.environ, "W4": "crash"}
    me = [sys.executable, __file__, str(WORKDIR), "--w4"]
    subprocess.run([*me, "crash"], env=env, capture_output=True, timeout=120)
    p = subprocess.run(
        [*me, "recover"], capture_output=True, text=True, timeout=120, check=True
    )
    restart = json.loads(p.stdout.strip().splitlines()[-1])["restart_at"]
    marks = [line.split() for line in MARKS.read_text().splitlines()]
    steps = [int(i) for i, _ in marks]
    rerun = sum(1 for i in set(steps) if i <= 10 and steps.count(i) > 1)
    t11 = [float(t) for i, t in marks if i == "11"]
    return rerun, (t11[-1] - restart) * 1000


def main() -> None:
    if sys.argv[2] == "--w4":
        w4_phase(sys.argv[3])
        return
    steps, runs, flows = map(int, sys.argv[2:5])
    DBOS.launch()
    out: dict[str, object] = {"w1_step_ms": w1(steps)}
    firsts, dones = w2(runs)
    out["w2_first_ms"], out["w2_done_ms"] = firsts, dones
    out["w3_per_s"] = w3(flows)
    out["w6_signal_ms"], out["w6_timeout_over_ms"] = w6(runs)
    DBOS.destroy()
    out["w4_rerun"], out["w4_restart_ms"] = w4()
    print(json.dumps(out))


if __name__ == "__main__":
    threading.excepthook = lambda a: None  # DBOS's background threads at exit
    main()
