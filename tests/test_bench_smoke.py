"""The benchmarks stay runnable: `python -m bench --quick --only cli` (no timing asserts)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.e2e


def test_bench_quick_cli_runs() -> None:
    p = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "cli", "--no-write"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert "ak --help" in p.stdout
    assert "ak session list (server up)" in p.stdout
    assert "error:" not in p.stdout, p.stdout


def test_benchmarks_import_without_dev_tools() -> None:
    """README's install command has no pytest: no benchmark may need it."""
    code = (
        "import importlib, sys\n"
        "for m in ('pytest', '_pytest', 'hypothesis'): sys.modules[m] = None\n"
        "from bench.__main__ import BENCHMARKS\n"
        "for name in BENCHMARKS.values(): importlib.import_module(name)\n"
        "from bench.recovery import run\n"
        "import tests.engine.inproc\n"
        "print('ok')\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (p.returncode, p.stdout) == (0, "ok\n"), p.stderr


def test_bench_quick_sidebyside_ak_and_waiting_run() -> None:
    """ak's side-by-side workloads and the waiting-sessions bench at tiny N.

    The peers (DBOS, Temporal: a 45 MB wheel) are skipped here (BENCH_PEERS="").
    """
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--no-write",
            "--only",
            "sidebyside",
            "waiting",
        ],  # fmt: skip
        cwd=ROOT,
        env={**os.environ, "BENCH_PEERS": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    w4 = [
        line for line in p.stdout.splitlines() if "re-executed after crash: ak" in line
    ]
    assert [c.strip() for c in w4[0].split("|")][3:8] == ["0", "", "", "0", "yes"]
    assert "W6 signal -> waiter resumes p50: ak" in p.stdout
    assert "waiting sessions" in p.stdout
    assert "error:" not in p.stdout, p.stdout
