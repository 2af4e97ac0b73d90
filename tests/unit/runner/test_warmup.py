"""runner/warmup.py: an idle runner's warm-up leaves nothing a session could see.

It runs the start of a session's path on dummy data (an import through the
import system included); afterwards the import system, the environment and
the threads are as before, and a warm-up that fails is silent and leaves the
same state.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from runner import warmup


def _state() -> tuple[list[object], dict[str, str], bool]:
    return list(sys.meta_path), dict(os.environ), warmup._NAME in sys.modules


def _threads_settle(before: int) -> bool:
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    return threading.active_count() == before


def test_warm_up_leaves_no_trace(tmp_path: Path) -> None:
    before, threads = _state(), threading.active_count()
    warmup.warm(str(tmp_path))
    assert _state() == before
    assert _threads_settle(threads)
    assert list(tmp_path.iterdir()) == []  # nothing written to the code dir


def test_failing_warm_up_is_silent_and_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warmup, "_SOURCE", "raise RuntimeError('in the module')\n")
    before = _state()
    warmup.warm(str(tmp_path))  # does not raise
    assert _state() == before


def test_warm_up_imports_through_the_import_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real = warmup._Finder.find_spec

    def spy(self: warmup._Finder, fullname: str, *a: object) -> object:
        seen.append(fullname)
        return real(self, fullname, *a)

    monkeypatch.setattr(warmup._Finder, "find_spec", spy)
    warmup.warm(str(tmp_path))
    assert seen == [warmup._NAME]
