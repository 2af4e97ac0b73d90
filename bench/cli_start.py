"""CLI start-up time: `ak --help`, `ak version` against `python -c pass`.

Each command runs REPEAT times after a warm-up; the table shows medians and the
ratio to the baseline measured in the same run (target: <= 2.5x).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))


def median_ms(cmd: list[str], env: dict[str, str]) -> float:
    subprocess.run(cmd, env=env, capture_output=True, check=False)  # warm-up
    samples = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def measure() -> list[tuple[str, float, float]]:
    tmp = tempfile.mkdtemp(prefix="ak-bench-")
    env = {**os.environ, "XDG_CONFIG_HOME": tmp, "XDG_DATA_HOME": tmp}
    base = median_ms([sys.executable, "-c", "pass"], env)
    rows = [("python -c pass (baseline)", base, 1.0)]
    for args in (["--help"], ["version"]):
        ms = median_ms([sys.executable, "-m", "akcli", *args], env)
        rows.append((f"ak {' '.join(args)}", ms, ms / base))
    return rows


def main() -> None:
    rows = measure()
    print(f"{'command':<28} {'median ms':>10} {'x baseline':>11}")
    for name, ms, ratio in rows:
        print(f"{name:<28} {ms:>10.1f} {ratio:>11.2f}")


if __name__ == "__main__":
    main()
