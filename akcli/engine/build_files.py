"""Each session's private copy of its build's files, written from memory.

A build's archive is immutable, so it is decompressed and checked (tarfile's
"data" filter) once; every session then gets a fresh directory written from
the cached members: no xz/tar work per session, just a mkdir and the writes.
Builds with links or special files, or larger than the cache, are extracted
from the archive each time instead (the same result, only slower).
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass

CACHE_BYTES = 64 * 1024 * 1024  # total size of the cached builds' files
SMALL_FILES = 16  # a build this small is written without a thread hop
SMALL_BYTES = 256 * 1024
PREFIX = "ak-user-"  # sessiontest.py hides paths with this prefix


@dataclass(frozen=True)
class Member:
    path: str  # relative, checked by the "data" filter
    mode: int  # as tarfile's "data" filter leaves it (files only)
    data: bytes | None  # None: a directory


@dataclass(frozen=True)
class BuildFiles:
    """The files of one build, as written into each session's directory."""

    members: tuple[Member, ...] | None  # None: extract the archive per session
    size: int
    requirements: str | None  # requirements.txt at the top, for the venv

    @property
    def small(self) -> bool:
        """Written from memory and cheap enough to write (and delete) on the event loop."""
        return (
            self.members is not None
            and len(self.members) <= SMALL_FILES
            and self.size <= SMALL_BYTES
        )


def read_build(archive: bytes) -> BuildFiles:
    """Decompress and check a build archive once."""
    members: list[Member] = []
    size = 0
    simple = True
    requirements: str | None = None
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:*") as tar:
        for info in tar:
            checked = tarfile.data_filter(info, "/nonexistent-dest")
            if checked is None:
                continue
            name = checked.name.rstrip("/")
            if checked.isdir():  # the data filter keeps the default mode
                members.append(Member(name, 0, None))
            elif checked.isreg():
                f = tar.extractfile(info)
                data = f.read() if f is not None else b""
                size += len(data)
                mode = checked.mode if checked.mode is not None else 0o644
                members.append(Member(name, mode, data))
                if name == "requirements.txt":
                    requirements = data.decode("utf-8", "replace")
            else:  # links and special files: leave them to tarfile
                simple = False
    if not simple or size > CACHE_BYTES:
        return BuildFiles(None, 0, requirements)
    return BuildFiles(tuple(members), size, requirements)


class BuildCache:
    """Builds' files by build ID, least recently used dropped past CACHE_BYTES."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self._builds: OrderedDict[str, BuildFiles] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, build_id: str) -> BuildFiles | None:
        with self._lock:
            files = self._builds.get(build_id)
            if files is not None:
                self._builds.move_to_end(build_id)
            return files

    def put(self, build_id: str, files: BuildFiles) -> None:
        with self._lock:
            self._builds[build_id] = files
            self._builds.move_to_end(build_id)
            total = sum(b.size for b in self._builds.values())
            while total > self.limit and len(self._builds) > 1:
                _, dropped = self._builds.popitem(last=False)
                total -= dropped.size


def new_session_dir(parent: str) -> str:
    """A fresh, empty private directory under ``parent``."""
    return tempfile.mkdtemp(prefix=PREFIX, dir=parent)


def write_session_dir(
    files: BuildFiles, archive: bytes | None, parent: str, into: str | None = None
) -> str:
    """A fresh private directory under ``parent`` (or the empty one ``into``)
    holding the build's files; returns its path. ``archive`` is needed only
    when ``files.members`` is None.
    """
    root = into or new_session_dir(parent)
    try:
        if files.members is None:
            if archive is None:
                raise RuntimeError("the build's archive is needed to extract it")
            with tarfile.open(fileobj=io.BytesIO(archive), mode="r:*") as tar:
                tar.extractall(root, filter="data")
            return root
        for m in files.members:
            target = os.path.join(root, m.path)
            if m.data is None:
                os.makedirs(target, exist_ok=True)
                continue
            parent = os.path.dirname(target)
            if parent != root and not os.path.isdir(parent):
                os.makedirs(parent, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                _write_all(fd, m.data)
                os.fchmod(fd, m.mode)  # exact, as tarfile (not umask-filtered)
            finally:
                os.close(fd)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return root


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]
