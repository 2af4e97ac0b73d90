"""The runner socket's line reader (akcli/engine/line_reader.py), without a runner.

Bytes are handed to it the way asyncio's selector transport does: ask
``get_buffer``, fill (part of) it, call ``buffer_updated``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from akcli.engine.line_reader import CHUNK, LineReader


class FakeStream(asyncio.BaseProtocol):
    """The replaced StreamReaderProtocol: records what is passed on to it."""

    def __init__(self) -> None:
        self.lost: list[Exception | None] = []
        self.flow: list[str] = []

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost.append(exc)

    def pause_writing(self) -> None:
        self.flow.append("pause")

    def resume_writing(self) -> None:
        self.flow.append("resume")


class FakeTransport(asyncio.ReadTransport):
    def __init__(self, closing: bool = False) -> None:
        super().__init__()
        self.protocol: asyncio.BaseProtocol | None = None
        self.paused = False
        self.closing = closing

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.protocol = protocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        assert self.protocol is not None
        return self.protocol

    def is_closing(self) -> bool:
        return self.closing

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def is_reading(self) -> bool:
        return not self.paused


class Harness:
    def __init__(
        self,
        timeout: float = 60.0,
        limit: int = 1024,
        stop_at: int | None = None,
        early: bytes = b"",
        closing: bool = False,
    ) -> None:
        self.lines: list[bytes] = []
        self.stream = FakeStream()
        self.transport = FakeTransport(closing)
        self.stop_at = stop_at  # on_line returns True for this line (1-based)
        self.reader = LineReader(self.stream, self.on_line, timeout, limit)
        self.reader.attach(self.transport, early)

    def on_line(self, line: bytes) -> bool:
        self.lines.append(line)
        return len(self.lines) == self.stop_at

    def feed(self, data: bytes) -> None:
        """One recv: may take several buffers if ``data`` is larger than one."""
        while data:
            view = self.reader.get_buffer(-1)
            n = min(len(view), len(data))
            view[:n] = data[:n]
            del view
            self.reader.buffer_updated(n)
            data = data[n:]


def run(test: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(test())


def test_a_line_split_across_several_chunks_is_handed_over_once_whole() -> None:
    async def go() -> Harness:
        h = Harness()
        for piece in (b'{"type":', b'"print",', b'"payload"', b":{}}", b"\n"):
            h.feed(piece)
        h.reader.close()
        return h

    h = run(go)
    assert h.lines == [b'{"type":"print","payload":{}}\n']
    assert h.reader.end == ""
    assert not h.reader.ended.done()


def test_a_line_larger_than_the_buffer_grows_it() -> None:
    async def go() -> Harness:
        h = Harness(limit=10 * CHUNK)
        body = b"x" * (3 * CHUNK)
        for i in range(0, len(body), 1000):
            h.feed(body[i : i + 1000])
        h.feed(b"\nnext\n")
        h.reader.close()
        return h

    h = run(go)
    assert h.lines == [b"x" * (3 * CHUNK) + b"\n", b"next\n"]
    assert h.reader.end == ""


def test_several_lines_in_one_chunk_are_handed_over_in_order() -> None:
    async def go() -> Harness:
        h = Harness()
        h.feed(b"one\ntwo\nthr")
        h.feed(b"ee\nfour\n")
        h.reader.close()
        return h

    h = run(go)
    assert h.lines == [b"one\n", b"two\n", b"three\n", b"four\n"]


def test_a_line_that_ends_the_run_drops_the_rest() -> None:
    async def go() -> Harness:
        h = Harness(stop_at=2)
        h.feed(b"one\ntwo\nthree\n")
        h.feed(b"four\n")  # after the end: dropped
        return h

    h = run(go)
    assert h.lines == [b"one\n", b"two\n"]
    assert h.reader.end == "handled"
    assert h.reader.ended.done()
    assert h.transport.paused


def test_an_unfinished_line_over_the_limit_ends_reading() -> None:
    async def go() -> Harness:
        h = Harness(limit=16)
        h.feed(b"ok\n" + b"y" * 10)
        assert h.reader.end == ""  # 10 bytes pending: within the limit
        h.feed(b"y" * 7)  # 17 bytes of one line, no newline yet
        h.feed(b"\nlater\n")  # dropped
        return h

    h = run(go)
    assert h.lines == [b"ok\n"]
    assert h.reader.end == "overrun"
    assert h.reader.ended.done()
    assert h.transport.paused


def test_the_limit_bounds_only_a_pending_line() -> None:
    # Today's behaviour: a line over the limit that arrives with its newline in
    # the same read is handed over; only what stays unfinished is bounded.
    async def go() -> Harness:
        h = Harness(limit=16)
        h.feed(b"z" * 40 + b"\n")
        h.reader.close()
        return h

    h = run(go)
    assert h.lines == [b"z" * 40 + b"\n"]
    assert h.reader.end == ""


def test_silence_ends_reading_after_the_timeout() -> None:
    async def go() -> tuple[Harness, float]:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        h = Harness(timeout=0.2)
        await asyncio.wait_for(h.reader.ended, 10)
        return h, loop.time() - t0

    h, waited = run(go)
    assert h.reader.end == "silent"
    assert waited >= 0.2
    assert h.transport.paused
    assert h.lines == []


def test_any_bytes_keep_the_watchdog_away() -> None:
    timeout = 0.8

    async def go() -> tuple[Harness, str, float]:
        loop = asyncio.get_running_loop()
        h = Harness(timeout=timeout)
        deadline = loop.time() + 2.2 * timeout  # it had to be re-armed
        while True:
            h.feed(b"x")  # no newline needed: any byte proves liveness
            fed = loop.time()
            if fed >= deadline:
                break
            await asyncio.sleep(0.05)
        during = h.reader.end
        await asyncio.wait_for(h.reader.ended, 10)
        return h, during, loop.time() - fed

    h, during, waited = run(go)
    assert during == ""
    assert h.reader.end == "silent"
    assert waited >= timeout - 0.01  # counted from the last byte, not the start
    assert h.lines == []


def test_close_stops_the_watchdog() -> None:
    async def go() -> Harness:
        h = Harness(timeout=0.05)
        h.reader.close()
        await asyncio.sleep(0.3)
        return h

    h = run(go)
    assert h.reader.end == ""
    assert not h.reader.ended.done()


def test_eof_mid_line_drops_the_unfinished_line() -> None:
    async def go() -> tuple[Harness, bool | None]:
        h = Harness()
        h.feed(b'{"a":1}\n{"b"')
        keep_open = h.reader.eof_received()
        h.reader.connection_lost(None)
        return h, keep_open

    h, keep_open = run(go)
    assert h.lines == [b'{"a":1}\n']
    assert keep_open is None  # the transport closes itself
    assert h.reader.end == "eof"
    assert h.reader.ended.done()
    assert not h.transport.paused  # nothing more can come anyway
    assert h.stream.lost == [None]  # passed on: the StreamWriter's wait_closed


def test_connection_lost_without_eof_ends_reading() -> None:
    async def go() -> Harness:
        h = Harness()
        h.feed(b"partial")
        h.reader.connection_lost(ConnectionResetError())
        return h

    h = run(go)
    assert h.lines == []
    assert h.reader.end == "eof"
    assert len(h.stream.lost) == 1
    assert isinstance(h.stream.lost[0], ConnectionResetError)


def test_early_bytes_are_read_first() -> None:
    async def go() -> Harness:
        h = Harness(early=b"hello\nhalf")
        h.feed(b"-line\n")
        h.reader.close()
        return h

    h = run(go)
    assert h.lines == [b"hello\n", b"half-line\n"]


def test_attach_to_a_closing_transport_ends_at_once() -> None:
    async def go() -> Harness:
        return Harness(early=b"last\n", closing=True)

    h = run(go)
    assert h.lines == [b"last\n"]
    assert h.reader.end == "eof"
    assert h.transport.protocol is h.reader


def test_write_flow_control_goes_to_the_stream() -> None:
    async def go() -> Harness:
        h = Harness()
        h.reader.pause_writing()
        h.reader.resume_writing()
        h.reader.close()
        return h

    assert run(go).stream.flow == ["pause", "resume"]


@pytest.mark.parametrize("why", ["handled", "overrun"])
def test_the_end_is_set_once(why: str) -> None:
    async def go() -> Harness:
        h = Harness(limit=4, stop_at=1 if why == "handled" else None)
        h.feed(b"a\n" if why == "handled" else b"abcdef")
        h.reader.eof_received()
        h.reader.connection_lost(None)
        return h

    assert run(go).reader.end == why
