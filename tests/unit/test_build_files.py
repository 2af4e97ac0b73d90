"""Build files: read once, written per session exactly as tarfile would extract them."""

from __future__ import annotations

import io
import os
import shutil
import stat
import tarfile
from pathlib import Path

import pytest

from akcli.engine.build_files import (
    BuildCache,
    BuildFiles,
    read_build,
    write_session_dir,
)


def _archive(
    entries: list[tuple[str, bytes | None, int]], *, symlink: str = ""
) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz") as tar:
        for name, data, mode in entries:
            info = tarfile.TarInfo(name)
            info.mode = mode
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        if symlink:
            info = tarfile.TarInfo(symlink)
            info.type = tarfile.SYMTYPE
            info.linkname = "program.py"
            tar.addfile(info)
    return buf.getvalue()


def _tree(root: str) -> dict[str, tuple[int, bytes | None]]:
    out: dict[str, tuple[int, bytes | None]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            data = Path(path).read_bytes() if stat.S_ISREG(st.st_mode) else None
            out[rel] = (stat.S_IMODE(st.st_mode), data)
    return out


ENTRIES: list[tuple[str, bytes | None, int]] = [
    ("program.py", b"def handler(event):\n    print('hi')\n", 0o644),
    ("pkg", None, 0o755),
    ("pkg/__init__.py", b"", 0o600),
    ("pkg/deep/mod.py", b"X = 1\n", 0o755),  # parent dir not in the archive
    ("run.sh", b"#!/bin/sh\n", 0o4777),  # setuid and o+w are dropped
    ("requirements.txt", b"requests==2.0\n", 0o644),
]


def test_session_dir_matches_tarfile_extraction(tmp_path: Path) -> None:
    archive = _archive(ENTRIES)
    files = read_build(archive)
    assert files.members is not None
    assert files.requirements == "requests==2.0\n"
    ours = write_session_dir(files, None, str(tmp_path))
    theirs = tmp_path / "tar"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(theirs, filter="data")
    try:
        assert _tree(ours) == _tree(str(theirs))
        assert os.path.basename(ours).startswith("ak-user-")
    finally:
        shutil.rmtree(ours)


def test_each_session_gets_a_private_copy(tmp_path: Path) -> None:
    files = read_build(_archive(ENTRIES))
    a = write_session_dir(files, None, str(tmp_path))
    b = write_session_dir(files, None, str(tmp_path))
    try:
        assert a != b
        Path(a, "program.py").write_text("changed")
        assert Path(b, "program.py").read_text().startswith("def handler")
    finally:
        shutil.rmtree(a)
        shutil.rmtree(b)


def test_links_fall_back_to_extracting_the_archive(tmp_path: Path) -> None:
    archive = _archive(ENTRIES, symlink="alias.py")
    files = read_build(archive)
    assert files.members is None
    assert not files.small  # nothing to write from memory
    with pytest.raises(RuntimeError):
        write_session_dir(files, None, str(tmp_path))
    d = write_session_dir(files, archive, str(tmp_path))
    try:
        assert os.readlink(os.path.join(d, "alias.py")) == "program.py"
        assert Path(d, "pkg/deep/mod.py").read_text() == "X = 1\n"
    finally:
        shutil.rmtree(d)


def test_unsafe_paths_are_refused_as_by_tarfile() -> None:
    archive = _archive([("../escape.py", b"x", 0o644)])
    with pytest.raises(tarfile.FilterError):
        read_build(archive)


def test_cache_drops_least_recently_used_past_its_limit() -> None:
    cache = BuildCache(limit=100)
    big = BuildFiles((), 60, None)
    cache.put("a", big)
    cache.put("b", big)  # 120 > 100: "a" goes
    assert cache.get("a") is None
    assert cache.get("b") is big
    cache.put("c", BuildFiles((), 10, None))
    assert cache.get("b") is big and cache.get("c") is not None
