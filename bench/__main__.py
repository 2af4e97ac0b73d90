"""`python -m bench [--quick] [--only NAME ...]`: run the benchmarks, print one table.

Writes bench/results.json (gitignored) and regenerates bench/RESULTS.md. A
benchmark that fails prints its reason in its row instead of a number.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback

from bench.common import ROOT, Row, failed
from bench.report import format_table, machine, write_results_md

# name -> module (each has run(quick: bool) -> list[Row]), in run order.
BENCHMARKS = {
    "cli": "bench.cli",
    "floor": "bench.floor",
    "activity": "bench.activities",
    "webhook": "bench.webhook",
    "throughput": "bench.throughput",
    "memory": "bench.memory",
    "recovery": "bench.recovery",
    "sidebyside": "bench.sidebyside",
    "waiting": "bench.waiting",
    "replay": "bench.replay",
    "workers": "bench.workers",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts (< 2 min)")
    parser.add_argument(
        "--only", nargs="+", choices=list(BENCHMARKS), help="run only these"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="do not write results.json/RESULTS.md"
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="only re-render RESULTS.md from results.json (after editing findings.md)",
    )
    args = parser.parse_args(argv)
    if args.render:
        saved = json.loads((ROOT / "bench" / "results.json").read_text())
        table = format_table([Row(**r) for r in saved["rows"]])
        total = sum(saved["seconds"].values())
        write_results_md(ROOT / "bench" / "RESULTS.md", table, saved["machine"], total)
        return 0

    rows: list[Row] = []
    durations: dict[str, float] = {}
    started = time.monotonic()
    for name in args.only or list(BENCHMARKS):
        t = time.monotonic()
        print(f"== {name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(BENCHMARKS[name])
            new = module.run(args.quick)
        except Exception as e:  # a broken benchmark becomes a row with its reason
            traceback.print_exc()
            new = [failed(name, name, f"error: {type(e).__name__}: {e}"[:200])]
        rows += new
        durations[name] = time.monotonic() - t
        print(f"   {name}: {durations[name]:.1f} s", file=sys.stderr, flush=True)

    table = format_table(rows)
    print(table)
    total = time.monotonic() - started
    print(f"total {total:.0f} s", file=sys.stderr)
    if not args.no_write:
        info = machine()
        results = {
            "quick": args.quick,
            "only": args.only,
            "machine": info,
            "seconds": durations,
            "rows": [r.as_dict() for r in rows],
        }
        (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2))
        if args.quick or args.only:  # RESULTS.md records full runs only
            print("(partial run: bench/RESULTS.md left as is)", file=sys.stderr)
        else:
            write_results_md(ROOT / "bench" / "RESULTS.md", table, info, total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
