"""Benchmark 1, CLI start-up: reuses bench/cli_start.py and adds `ak session list`.

`ak --help` and `ak version` vs `python -c pass` (medians, same run); `ak session
list` runs against a real `ak up`, so it includes one HTTP round trip.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench import cli_start
from bench.common import Row, running_server, tempdir

TARGET = "<=2.5x (~150 ms)"  # design: "<= 150 ms wall, i.e. <= 2.5x"


def run(quick: bool) -> list[Row]:
    cli_start.REPEAT = 5 if quick else 15  # read by cli_start at call time
    measured = cli_start.measure()
    base = measured[0][1]
    rows = [Row("cli", "python -c pass", base, "ms", note="baseline")]
    for name, ms, ratio in measured[1:]:
        ok = ratio <= 2.5
        rows.append(Row("cli", name, ms, "ms", f"{base:.1f} ms", ratio, TARGET, ok))
    with tempdir("cli") as tmp, running_server(Path(tmp) / "home") as server:
        cmd = [sys.executable, "-m", "akcli", "session", "list"]
        p = subprocess.run(cmd, env=server.env, capture_output=True, text=True)
        if p.returncode != 0:
            reason = f"ak session list exited {p.returncode}: {p.stderr.strip()[:100]}"
            rows.append(
                Row("cli", "ak session list (server up)", None, "", note=reason)
            )
        else:
            ms = cli_start.median_ms(cmd, server.env)
            rows.append(
                Row(
                    "cli",
                    "ak session list (server up)",
                    ms,
                    "ms",
                    f"{base:.1f} ms",
                    ms / base,
                )
            )
    return rows
