"""Benchmark 2, activity overhead: N no-op activities in one durable session.

The session times its own loop (the two `time.perf_counter()` calls are journaled
activities too: +2 on N) and prints ms per call. Baseline: the same loop in a
non-durable session, where `@activity` calls are plain calls. DBOS: a workflow
making N `@DBOS.step` calls on DBOS's SQLite system database, run in
bench/.venv-dbos (created here with `python -m venv` + pip).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench.common import (
    ROOT,
    Row,
    ak,
    db,
    deploy_webhook_project,
    median,
    running_server,
    tempdir,
    wait_for,
)
from tests.server import AkServer

TARGET_MS = 0.1  # issue 18
VENV = ROOT / "bench" / ".venv-dbos"

PROGRAM = """
import time

import autokitteh


@autokitteh.activity
def noop(i):
    return i


def _loop(n):
    t0 = time.perf_counter()
    for i in range(n):
        noop(i)
    t1 = time.perf_counter()
    print(f"BENCH {(t1 - t0) * 1000 / n}")


def handler(event):
    pass

"""


def _entry(n: int) -> str:
    return f"def run_{n}(event):\n    _loop({n})\n\n"


def _run_session(server: AkServer, n: int, durable: bool) -> float:
    """Start one session at run_<n>, wait for it, return its printed ms per call.

    Waits by reading the database, not with `ak session start -w`: the watch
    polls the session log over RPC, which loads the server being measured.
    """
    args = ["session", "start", "-o", "actbench", "-p", f"program.py:run_{n}", "-j"]
    out = ak(server, *args, *(["-D"] if durable else []))
    sid = json.loads(out)["session_id"]

    def state() -> tuple[str, str]:
        with db(server) as conn:
            row = conn.execute(
                "SELECT state, error FROM sessions WHERE session_id = ?", (sid,)
            ).fetchone()
        return (str(row[0]), str(row[1])) if row else ("", "")

    wait_for(lambda: state()[0] in ("completed", "error", "stopped"), 600, 0.1)
    st, error = state()
    if st != "completed":
        raise RuntimeError(f"session {sid} {st}: {error[:200]}")
    with db(server) as conn:
        (text,) = conn.execute(
            "SELECT text FROM session_prints WHERE session_id = ?"
            " AND text LIKE 'BENCH %'",
            (sid,),
        ).fetchone()
    return float(text.split()[1])


def ensure_dbos() -> str:
    """Create bench/.venv-dbos with dbos installed; return '' or the reason it failed."""
    py = VENV / "bin" / "python"
    if py.exists():
        p = subprocess.run([str(py), "-c", "import dbos"], capture_output=True)
        if p.returncode == 0:
            return ""
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True
        )
        p = subprocess.run(
            [str(py), "-m", "pip", "install", "-q", "dbos"],
            capture_output=True,
            text=True,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as e:
        return f"venv/pip failed: {e}"
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        return f"pip install dbos failed: {last[:120]}"
    return ""


def dbos_ms_per_step(n: int, tmp: Path) -> tuple[float | None, str]:
    reason = ensure_dbos()
    if reason:
        return None, reason
    p = subprocess.run(
        [
            str(VENV / "bin" / "python"),
            str(ROOT / "bench" / "dbos_steps.py"),
            str(n),
            str(tmp / f"dbos-{n}-{time.monotonic_ns()}.sqlite"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        return None, f"DBOS run failed: {last[:120]}"
    return float(json.loads(p.stdout.strip().splitlines()[-1])["ms_per_step"]), ""


def run(quick: bool) -> list[Row]:
    sizes = [200] if quick else [1000, 10000]
    reps = {200: 1, 1000: 3, 10000: 3}
    rows: list[Row] = []
    with tempdir("act") as tmp:
        program = PROGRAM + "".join(_entry(n) for n in sizes)
        with running_server(tmp / "home") as server:
            deploy_webhook_project(server, tmp / "proj", "actbench", program)
            for n in sizes:
                plain = median([_run_session(server, n, False) for _ in range(reps[n])])
                durable = median(
                    [_run_session(server, n, True) for _ in range(reps[n])]
                )
                rows.append(
                    Row(
                        "activity",
                        f"non-durable loop, N={n}",
                        plain,
                        "ms/call",
                        note="baseline: plain calls in a session",
                    )
                )
                rows.append(
                    Row(
                        "activity",
                        f"durable activity, N={n}",
                        durable,
                        "ms/call",
                        f"{plain:.4f} ms plain",
                        durable / plain if plain else None,
                        f"<={TARGET_MS} ms",
                        durable <= TARGET_MS,
                        f"median of {reps[n]} session(s)",
                    )
                )
                rows.append(_dbos_row(n, durable, tmp, rows))
    return rows


def _dbos_row(n: int, ak_ms: float, tmp: Path, done: list[Row]) -> Row:
    figure = f"DBOS @DBOS.step on SQLite, N={n}"
    before = [r.value for r in done if r.figure.startswith("DBOS") and r.value]
    if n > 1000 and before and before[-1] * n / 1000 > 120:
        return Row(
            "activity",
            figure,
            None,
            "",
            note=(
                f"not run: at {before[-1]:.1f} ms/step (smaller N) it would take "
                f"{before[-1] * n / 1000:.0f} s; the smaller-N row is the comparison"
            ),
        )
    ms, reason = dbos_ms_per_step(n, tmp)
    if ms is None:
        return Row("activity", figure, None, "", target="ak < DBOS", note=reason)
    return Row(
        "activity",
        figure,
        ms,
        "ms/step",
        f"ak {ak_ms:.3f} ms",
        ak_ms / ms,
        "ak < DBOS",
        ak_ms < ms,
        "ratio = ak / DBOS",
    )
