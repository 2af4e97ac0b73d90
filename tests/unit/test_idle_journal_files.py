"""Idle journal files of pre-forked runners (akcli/engine/journal_files.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from akcli.engine.journal_files import JournalFiles
from runner.journal_file import JournalWriter, read_records


class _Srv:
    def __init__(self, db_path: Path) -> None:
        self.db: Any = type("Db", (), {"path": db_path})()


def _files(tmp_path: Path) -> JournalFiles:
    return JournalFiles(_Srv(tmp_path / "ak.sqlite"), tmp_path / "rt")  # type: ignore[arg-type]


def test_idle_file_renamed_to_the_session_keeps_the_runners_descriptor(
    tmp_path: Path,
) -> None:
    files = _files(tmp_path)
    idle = files.create_idle()
    assert Path(idle).parent == tmp_path / "ak.sqlite.ak-journal"
    assert Path(idle).name.startswith("idle-") and idle.endswith(".jnl")
    assert stat.S_IMODE(os.stat(idle).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(files.dir).st_mode) == 0o700
    assert files.create_idle() != idle
    writer = JournalWriter.open(idle)  # the runner, before it isolates itself
    assert writer is not None
    assert files.adopt(idle, "ses_a") == files.path("ses_a")
    assert not os.path.exists(idle)
    line = b'{"type":"activity_done","payload":{"seq":1}}\n'
    assert writer.append(line)
    writer.close()
    assert read_records(Path(files.path("ses_a")).read_bytes()) == [line]
    assert files.adopt(idle, "ses_b") is None  # gone: that run waits for acks


def test_remove_idle_keeps_session_files(tmp_path: Path) -> None:
    files = _files(tmp_path)
    stale = [files.create_idle(), files.create_idle()]
    kept = files.create("ses_a")
    files.remove_idle()
    assert not any(os.path.exists(p) for p in stale)
    assert os.path.exists(kept)
    _files(tmp_path / "none").remove_idle()  # no directory yet: nothing to do
