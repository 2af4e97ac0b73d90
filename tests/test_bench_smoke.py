"""The benchmarks stay runnable: `python -m bench --quick --only cli` (no timing asserts)."""

from __future__ import annotations

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
