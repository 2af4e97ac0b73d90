"""The compiled-module cache: reused across sessions, per mode, never trusted blindly."""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path

import pytest

from runner import loader

from .helpers import run_files

FILES = {
    "main.py": """
        import helper

        def main(event):
            return helper.where()
    """,
    "helper.py": """
        def where():
            raise ValueError("from " + __file__)
    """,
}


def _entries(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir())


@pytest.mark.parametrize("durable", [False, True])
def test_second_session_reuses_compiled_modules_with_its_own_paths(
    tmp_path: Path, durable: bool
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    first, _ = run_files(tmp_path / "a", FILES, durable=durable, code_cache=str(cache))
    entries = _entries(cache)
    assert len(entries) == 2 and all(e.endswith(".code") for e in entries)
    second, _ = run_files(tmp_path / "b", FILES, durable=durable, code_cache=str(cache))
    assert _entries(cache) == entries  # nothing new compiled
    for outcome, root in ((first, "a"), (second, "b")):
        assert outcome.state == "error"
        # __file__ names this session's files, not the first's; the traceback
        # names them relative to the code directory.
        helper = str(tmp_path / root / "code" / "helper.py")
        assert f"ValueError: from {os.path.realpath(helper)}" in outcome.error
        assert 'File "helper.py"' in outcome.error


def test_modes_are_cached_apart(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    run_files(tmp_path / "a", FILES, durable=False, code_cache=str(cache))
    run_files(tmp_path / "b", FILES, durable=True, code_cache=str(cache))
    assert len(_entries(cache)) == 4


def _key(source: str, durable: bool) -> str:
    import textwrap

    data = textwrap.dedent(source).encode()
    mode = b"D" if durable else b"N"
    return hashlib.sha256(loader._CACHE_SALT + mode + data).hexdigest() + ".code"


def test_cached_code_is_what_runs_and_a_broken_entry_is_recompiled(
    tmp_path: Path,
) -> None:
    files = {"main.py": "def main(event):\n    return 'compiled'\n"}
    cache = tmp_path / "cache"
    cache.mkdir()
    entry = cache / _key(files["main.py"], False)
    planted = compile("def main(event):\n    return 'cached'\n", "x.py", "exec")
    entry.write_bytes(marshal.dumps(planted))
    outcome, _ = run_files(tmp_path / "a", files, code_cache=str(cache))
    assert outcome.value == "cached"  # the key matched: the cache was read
    entry.write_bytes(b"\x00garbage")
    outcome, _ = run_files(tmp_path / "b", files, code_cache=str(cache))
    assert outcome.value == "compiled"
    assert marshal.loads(entry.read_bytes()).co_filename.endswith("main.py")


def test_unwritable_cache_only_costs_the_cache(tmp_path: Path) -> None:
    outcome, _ = run_files(tmp_path / "a", FILES, code_cache=str(tmp_path / "missing"))
    assert outcome.state == "error" and "ValueError: from" in outcome.error
