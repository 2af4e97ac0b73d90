"""CPU per webhook session, by process: where throughput goes.

`python -m bench.profile_cpu [REQUESTS] [CLIENTS] [--worker-python]` starts `ak up`,
deploys the throughput benchmark's trivial handler (managed venv unless
--worker-python), sends REQUESTS webhooks from CLIENTS threads and prints the CPU
time per session of the server, the zygote (its own work) and the runners it
forked (reaped children), of this client, and how busy the machine's cores were
(/proc/stat). Linux only. Not part of `python -m bench`.
"""

from __future__ import annotations

import os
import sys
import time

from bench.common import (
    count_states,
    deploy_webhook_project,
    running_server,
    tempdir,
    wait_for,
    zygotes_and_runners,
)
from bench.throughput import PROGRAM, _level

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> tuple[float, float, float, float, int, int]:
    """(self user, self system, children user, children system) in seconds,
    then (self, children) minor page faults."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    u, s, cu, cs = (int(x) / _TICK for x in fields[11:15])
    return u, s, cu, cs, int(fields[7]), int(fields[8])


def _machine() -> tuple[int, int, int, int]:
    """(total, idle, user, system) jiffies of all cores."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4], v[0] + v[1], v[2]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    total = int(args[0]) if args else 600
    clients = int(args[1]) if len(args) > 1 else 8
    worker_python = "--worker-python" in sys.argv
    with (
        tempdir("cpu") as tmp,
        running_server(tmp / "home", worker_python=worker_python) as server,
    ):
        url = deploy_webhook_project(server, tmp / "proj", "cpu", PROGRAM)
        _level(url, 2, 20)  # warm-up: zygote, build cache, code cache
        wait_for(lambda: count_states(server).get("completed", 0) >= 20, 30)
        assert server.proc is not None
        pid = server.proc.pid
        zygotes, _ = zygotes_and_runners(pid)
        s0, z0, m0, c0 = _cpu(pid), [_cpu(z) for z in zygotes], _machine(), os.times()
        t0 = time.time()
        _level(url, clients, total)
        wait_for(lambda: count_states(server).get("completed", 0) >= total + 20, 300)
        elapsed = time.time() - t0
        s1, z1, m1, c1 = _cpu(pid), [_cpu(z) for z in zygotes], _machine(), os.times()

    def ms(seconds: float) -> str:
        return f"{seconds / total * 1000:.2f} ms"

    print(f"{total} sessions in {elapsed:.2f} s = {total / elapsed:.0f}/s")
    print(f"server  {ms(s1[0] - s0[0] + s1[1] - s0[1])} per session")
    for a, b in zip(z0, z1, strict=True):
        print(f"zygote  {ms(b[0] - a[0] + b[1] - a[1])} per session (its own work)")
        print(
            f"runners {ms(b[2] - a[2] + b[3] - a[3])} per session (user {ms(b[2] - a[2])})"
        )
        faults = (
            f"zygote {(b[4] - a[4]) / total:.0f}, runners {(b[5] - a[5]) / total:.0f}"
        )
        print(f"page faults per session: {faults}")
    client = c1.user + c1.system - c0.user - c0.system
    print(f"clients {ms(client)} per request")
    jiffies = m1[0] - m0[0]
    busy = jiffies - (m1[1] - m0[1])
    print(
        f"cores busy {100 * busy / jiffies:.0f}% (user {100 * (m1[2] - m0[2]) / jiffies:.0f}%,"
        f" system {100 * (m1[3] - m0[3]) / jiffies:.0f}%)"
    )


if __name__ == "__main__":
    main()
