"""Where the durable activity time goes: py-spy on the server and the runner.

`python -m bench.profile_activity [N]` starts `ak up`, runs one durable session of
N no-op activities and samples both processes with py-spy (installed in
bench/.venv-dbos) while it runs; prints the top frames (own time) of each.
Not part of `python -m bench`: profiling slows what it measures.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.activities import PROGRAM, VENV, _entry, _run_session
from bench.common import (
    ROOT,
    deploy_webhook_project,
    running_server,
    tempdir,
    zygotes_and_runners,
)

PYSPY = VENV / "bin" / "py-spy"


def _top(pid: int, seconds: int, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(PYSPY), "record", "-p", str(pid), "-d", str(seconds), "-f", "raw",
         "-o", str(out), "-r", "200", "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _summary(raw: Path, top: int = 25) -> str:
    """Own-time (leaf frame) and inclusive counts from py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    incl: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue  # a truncated last line
        n = int(count)
        total += n
        frames = stack.split(";")
        own[frames[-1]] = own.get(frames[-1], 0) + n
        for f in set(frames):
            incl[f] = incl.get(f, 0) + n
    lines = [f"{total} samples; own time:"]
    for f, n in sorted(own.items(), key=lambda x: -x[1])[:top]:
        lines.append(f"  {100 * n / total:5.1f}%  {f}")
    lines.append("inclusive:")
    for f, n in sorted(incl.items(), key=lambda x: -x[1])[:top]:
        lines.append(f"  {100 * n / total:5.1f}%  {f}")
    return "\n".join(lines)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    outdir = ROOT / "bench" / "profiles"
    outdir.mkdir(exist_ok=True)
    with tempdir("prof") as tmp, running_server(tmp / "home") as server:
        deploy_webhook_project(server, tmp / "proj", "actbench", PROGRAM + _entry(n))
        assert server.proc is not None
        pid = server.proc.pid
        result: list[float] = []
        t = threading.Thread(
            target=lambda: result.append(_run_session(server, n, True))
        )
        t.start()
        runners: list[int] = []
        deadline = time.monotonic() + 30
        while not runners and time.monotonic() < deadline:
            runners = zygotes_and_runners(pid)[1]
            time.sleep(0.05)
        seconds = 8
        procs = [(_top(pid, seconds, outdir / "server.txt"), outdir / "server.txt")]
        if runners:
            procs.append((_top(runners[0], seconds, outdir / "runner.txt"),
                          outdir / "runner.txt"))  # fmt: skip
        for p, raw in procs:
            p.wait()
            print(f"== {raw.stem} ==")
            print(
                _summary(raw) if raw.exists() else p.stderr.read() if p.stderr else ""
            )
        t.join()
        print(f"ms per activity (profiled, slower): {result}")


if __name__ == "__main__":
    main()
