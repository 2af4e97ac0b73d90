"""`ak --help` / `ak version` served without typer match what typer prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _ak(tmp: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "cache"), "COLUMNS": "80"}
    env.pop("AK_NO_FASTPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "akcli", *args],
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_cached_matches_typer(tmp_path: Path) -> None:
    typer_help = _ak(tmp_path, "--help", AK_NO_FASTPATH="1")
    assert typer_help.returncode == 0 and typer_help.stdout.startswith("Usage:")
    assert not (tmp_path / "cache").exists()  # the normal path writes no cache
    first = _ak(tmp_path, "--help")  # renders through typer, writes the cache
    cached = list((tmp_path / "cache" / "autokitteh" / "cli").glob("help-*.txt"))
    assert len(cached) == 1
    assert cached[0].read_text() == typer_help.stdout
    cached[0].write_text("Usage: from the cache\n")
    second = _ak(tmp_path, "-h")
    assert (first.stdout, first.returncode) == (typer_help.stdout, 0)
    assert (second.stdout, second.returncode) == ("Usage: from the cache\n", 0)


def test_version_matches_typer(tmp_path: Path) -> None:
    slow = _ak(tmp_path, "version", AK_NO_FASTPATH="1")
    for alias in ("version", "ver", "v"):
        fast = _ak(tmp_path, alias)
        assert (fast.stdout, fast.stderr, fast.returncode) == (slow.stdout, "", 0)
    assert slow.stdout.strip()
    # anything else goes through typer as before
    assert _ak(tmp_path, "version", "-j").stdout.startswith("{")
