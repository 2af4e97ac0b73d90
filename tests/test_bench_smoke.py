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
