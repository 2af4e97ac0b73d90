"""A session's activity journal file: the runner's own commit of each result.

With the built-in engine on SQLite (``pythonrt.journal: auto|file``) the server
creates one file per session run (0600, in a 0700 directory next to the
database) and hands its path to the runner. Before the workflow goes on after a
live activity, the runner appends the exact ``activity_done`` line to it with
one ``os.write`` (page cache: it survives a kill -9 of the runner and of the
server, like a SQLite WAL commit with ``synchronous=NORMAL``), then sends the
same line on the socket without waiting for an ack. The server stores the
socket's lines in batches; when a runner ends, or before a session resumes
after a server crash, it stores every record of the file whose seq is not in
the store yet (akcli/engine/journal_files.py), then removes the file.

Besides results, the runner commits there every other line the server stores,
before sending it: prints (an activity not run again does not print again;
prints keep their order across a crash) and ``activity_start`` (the call spec
of a slow activity).

Record: ``<length:8 hex> <crc32:8 hex> <line>``, where ``line`` is the
``activity_done`` line with its ``\\n`` and ``length`` its byte count. A record
cut short (the runner killed inside the write, a full disk) or with another
checksum ends the file: it and anything after it are ignored.

Stdlib only: imported by the runner and by the server.
"""

from __future__ import annotations

import contextlib
import os
import threading
import zlib

__all__ = ["HEADER", "JournalWriter", "encode_record", "line_seq", "read_records"]

HEADER = 18  # "%08x %08x " bytes before each line


def encode_record(line: bytes) -> bytes:
    """One record of ``line`` (an ``activity_done`` line ending in ``\\n``)."""
    return b"%08x %08x " % (len(line), zlib.crc32(line)) + line


def read_records(data: bytes) -> list[bytes]:
    """The lines of the whole records at the start of ``data``; stops at the
    first torn or damaged one."""
    lines: list[bytes] = []
    pos, end = 0, len(data)
    while end - pos >= HEADER:
        head = data[pos : pos + HEADER]
        if head[8:9] != b" " or head[17:18] != b" ":
            break
        try:
            size, crc = int(head[:8], 16), int(head[9:17], 16)
        except ValueError:
            break
        start = pos + HEADER
        line = data[start : start + size]
        if len(line) != size or zlib.crc32(line) != crc or not line.endswith(b"\n"):
            break
        lines.append(line)
        pos = start + size
    return lines


_SEQ_HEAD = b'{"type":"activity_done","payload":{"seq":'


def line_seq(line: bytes) -> int | None:
    """The seq of an ``activity_done`` line as the runner encodes it
    (runner/protocol.py), without parsing the rest; None: another shape."""
    if not line.startswith(_SEQ_HEAD):
        return None
    end = line.find(b",", len(_SEQ_HEAD))
    digits = line[len(_SEQ_HEAD) : end]
    return int(digits) if end > 0 and digits.isdigit() else None


class JournalWriter:
    """The runner's end of its journal file (opened before user code runs)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        # One writer at a time (workflow, heartbeat, activity threads): after
        # a torn record, nothing may be appended.
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str) -> JournalWriter | None:
        """The file the server created for this run (None: unusable; the
        runner then waits for the server's ack of each activity)."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
        except OSError:
            return None
        return cls(fd)

    def append(self, line: bytes) -> bool:
        """Commit one line; False if it was not written whole (the writer is
        then closed: a torn record must stay the file's last one)."""
        record = encode_record(line)
        with self._lock:
            if self.fd < 0:
                return False
            try:
                written = os.write(self.fd, record)
            except OSError:
                written = -1
            if written == len(record):
                return True
            self._close()
            return False

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1
