"""A runner socket's read side: a reused buffer cut into JSON lines.

See :class:`LineReader` for why it replaces the StreamReader.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["CHUNK", "LineReader"]

# Bytes asked of each recv_into: below glibc's mmap threshold (128 KiB), see LineReader.
CHUNK = 64 * 1024


class LineReader(asyncio.BufferedProtocol):
    """The server's end of a runner socket: hands each JSON line to ``on_line``.

    Installed on the transport right after the runner connects, in place of the
    StreamReader, because an activity's round trip is dominated by per-message
    overhead: a StreamReader transport reads into a fresh 256 KiB bytes object
    each time, which glibc serves with mmap/munmap (a TLB shootdown per message,
    ~100 us on a VM), and ``wait_for(readline())`` costs a Task, a timer and a
    loop iteration per line. Here reads go into one reused buffer and each
    complete line is handled right in the read callback. The heartbeat watchdog
    is one timer, re-armed when it fires.

    ``ended`` resolves once reading is over, ``end`` saying why: ``"handled"``
    (``on_line`` returned True), ``"eof"``, ``"overrun"`` (a line longer than
    ``limit``) or ``"silent"`` (nothing received for ``timeout`` seconds).
    The replaced StreamReaderProtocol still gets ``connection_lost`` and the
    write flow control, so the StreamWriter's ``drain`` and ``wait_closed``
    keep working.
    """

    def __init__(
        self,
        stream: asyncio.BaseProtocol,
        on_line: Callable[[bytes], bool],
        timeout: float,
        limit: int,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self.end = ""
        self.ended: asyncio.Future[None] = self._loop.create_future()
        self._stream = stream
        self._on_line = on_line
        self._limit = limit
        self._buf = bytearray(CHUNK)
        self._start = 0  # first byte not handled yet
        self._end = 0  # end of the received bytes
        self._scan = 0  # no newline in _buf[_start:_scan]
        self._transport: asyncio.BaseTransport | None = None
        self._timeout = timeout
        self._last = self._loop.time()
        self._timer = self._loop.call_at(self._last + timeout, self._watchdog)

    def attach(self, transport: asyncio.BaseTransport, early: bytes) -> None:
        """Take over ``transport``; ``early`` is what the StreamReader had buffered."""
        self._transport = transport
        transport.set_protocol(self)
        if isinstance(transport, asyncio.ReadTransport):
            # An EOF the StreamReader got already (a pre-forked runner handed
            # its run early may be done) is not delivered again; polling the
            # socket anew reports it to us.
            transport.pause_reading()
            transport.resume_reading()
        if early:
            view = self.get_buffer(len(early))  # room for at least that much
            view[: len(early)] = early
            del view
            self.buffer_updated(len(early))
        if transport.is_closing():
            self._finish("eof")

    def close(self) -> None:
        """Stop the watchdog (the run is over)."""
        self._timer.cancel()

    def stop(self) -> None:
        """End reading as if ``on_line`` had returned True."""
        self._finish("handled")

    def _finish(self, why: str) -> None:
        if self.end:
            return
        self.end = why
        self._timer.cancel()
        if why != "eof" and isinstance(self._transport, asyncio.ReadTransport):
            self._transport.pause_reading()
        if not self.ended.done():
            self.ended.set_result(None)

    def _watchdog(self) -> None:
        if self._loop.time() - self._last >= self._timeout:
            self._finish("silent")
        else:
            self._timer = self._loop.call_at(self._last + self._timeout, self._watchdog)

    # -- asyncio.BufferedProtocol ----------------------------------------------

    def get_buffer(self, sizehint: int) -> memoryview:
        want = max(sizehint, CHUNK)
        if self._start == self._end:
            self._start = self._end = self._scan = 0
            if len(self._buf) > 4 * CHUNK:  # done with a big message
                self._buf = bytearray(CHUNK)
        if len(self._buf) - self._end < want:
            # Move the partial line to the front; grow if that leaves no room.
            n = self._end - self._start
            with memoryview(self._buf) as old:
                if n + want > len(self._buf):
                    new = bytearray(max(2 * len(self._buf), n + want))
                    new[:n] = old[self._start : self._end]
                else:
                    new = self._buf
                    new[:n] = bytes(old[self._start : self._end])
            self._buf = new
            self._scan -= self._start
            self._start, self._end = 0, n
        return memoryview(self._buf)[self._end :]

    def buffer_updated(self, nbytes: int) -> None:
        self._end += nbytes
        self._last = self._loop.time()
        if self.end:  # the run is over: drop what comes after
            self._start = self._scan = self._end
            return
        buf = self._buf
        i = buf.find(b"\n", self._scan, self._end)
        if i >= 0:
            with memoryview(buf) as view:
                while i >= 0:
                    line = view[self._start : i + 1].tobytes()
                    self._start = i + 1
                    if self._on_line(line):
                        self._finish("handled")
                        self._start = self._end
                        break
                    i = buf.find(b"\n", self._start, self._end)
        self._scan = self._end
        if self._end - self._start > self._limit:
            self._finish("overrun")

    def eof_received(self) -> bool | None:
        self._finish("eof")
        return None  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._finish("eof")
        self._stream.connection_lost(exc)

    def pause_writing(self) -> None:
        self._stream.pause_writing()

    def resume_writing(self) -> None:
        self._stream.resume_writing()
