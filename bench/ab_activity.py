"""Interleaved A/B of the durable activity figure against another source tree.

`python -m bench.ab_activity OLD_SRC [N] [ROUNDS]` starts two `ak up`: one
importing `akcli`/`runner` from OLD_SRC (e.g. `git archive main | tar -x -C
/tmp/ak-main`), one from this tree, and runs one N-activity durable session on
each in turn, ROUNDS times (old, new, old, new, ...: both see the same load).
Prints each run and the medians, with the load average before and after.
Extra `-C key=value` settings for the new server: AB_NEW_CONFIG="k=v k=v".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bench.activities import PROGRAM, _entry, _run_session
from bench.common import deploy_webhook_project, median, running_server, tempdir


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    old_src = Path(sys.argv[1]).resolve()
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    program = PROGRAM + _entry(n)
    new_cfg = os.environ.get("AB_NEW_CONFIG", "").split()
    print(f"load before: {_load()}", flush=True)
    with tempdir("ab") as tmp:
        # PYTHONSAFEPATH: `python -m akcli` must not put the cwd (this tree) first.
        old_env = {"PYTHONPATH": str(old_src), "PYTHONSAFEPATH": "1"}
        with (
            running_server(tmp / "old", env=old_env) as old,
            running_server(tmp / "new") as new,
        ):
            if new_cfg:  # restart the new one with its settings
                new.stop()
                for kv in new_cfg:
                    new.extra += ["-C", kv]
                new.start(timeout=60)
            for server, name in ((old, "old"), (new, "new")):
                deploy_webhook_project(
                    server, tmp / f"proj-{name}", "actbench", program
                )
            times: dict[str, list[float]] = {"old": [], "new": []}
            for r in range(rounds):
                order = [(old, "old"), (new, "new")]
                if r % 2:
                    order.reverse()
                for server, name in order:
                    ms = _run_session(server, n, True)
                    times[name].append(ms)
                    print(f"round {r} {name}: {ms:.4f} ms/activity", flush=True)
    for name, ts in times.items():
        print(
            f"{name}: median {median(ts):.4f} ms  ({', '.join(f'{t:.4f}' for t in ts)})"
        )
    print(f"load after: {_load()}")


if __name__ == "__main__":
    main()
