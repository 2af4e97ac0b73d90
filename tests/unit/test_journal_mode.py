"""`pythonrt.journal`: auto picks journal files on SQLite with the built-in
engine and the ack path elsewhere; `file` where it cannot work is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akcli.config import Config
from akcli.engine.journal_files import use_files
from akcli.errors import AkError
from akcli.paths import Paths


class _Srv:
    def __init__(self, tmp: Path, dialect: str, **config: str) -> None:
        paths = Paths(tmp / "cfg", tmp / "data", tmp / "cache")
        self.config = Config(paths=paths, overrides=config)
        self.db: Any = type("Db", (), {"dialect": dialect})()


@pytest.mark.parametrize(
    ("dialect", "config", "files"),
    [
        ("sqlite", {}, True),
        ("sqlite", {"pythonrt.journal": "file"}, True),
        ("sqlite", {"pythonrt.journal": "ack"}, False),
        ("postgres", {}, False),
        ("postgres", {"pythonrt.journal": "ack"}, False),
        ("sqlite", {"engine": "temporal"}, False),
    ],
)
def test_auto_file_ack(
    tmp_path: Path, dialect: str, config: dict[str, str], files: bool
) -> None:
    assert use_files(_Srv(tmp_path, dialect, **config)) is files  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("dialect", "config", "error"),
    [
        (
            "postgres",
            {"pythonrt.journal": "file"},
            'config "pythonrt.journal": file needs engine builtin and db.type sqlite',
        ),
        (
            "sqlite",
            {"pythonrt.journal": "fsync"},
            'config "pythonrt.journal": invalid value "fsync" (auto, file, ack)',
        ),
    ],
)
def test_refused(
    tmp_path: Path, dialect: str, config: dict[str, str], error: str
) -> None:
    with pytest.raises(AkError) as e:
        use_files(_Srv(tmp_path, dialect, **config))  # type: ignore[arg-type]
    assert str(e.value) == error
