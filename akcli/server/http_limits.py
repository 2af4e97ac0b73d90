"""Limits that keep slow or idle clients from holding the HTTP server.

uvicorn times out idle keep-alive connections, but not a client that opens a
connection and sends its request headers a byte at a time (slowloris), and it
has no cap on open connections. `limited_protocol` adds both to its h11
protocol:

- `http.read_header_timeout`: a connection without a request in progress
  (just opened, or between requests) is closed when no complete request
  head arrived in time;
- `http.max_connections`: a connection over the cap gets `503` and is closed
  at once, so the open ones keep being served.

`read_body` is the body side: each chunk of a request body must arrive within
`http.read_timeout`, else the request fails with 408.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request

_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n"
    b"content-length: 20\r\nconnection: close\r\n\r\ntoo many connections"
)


class BodyTimeout(Exception):
    """A request body stalled longer than the read timeout."""


class BodyTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def limited_protocol(header_timeout: float, max_connections: int) -> type[Any]:
    """An h11 protocol class for `uvicorn.Config(http=...)` with both limits."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class LimitedH11Protocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            if max_connections and len(self.connections) > max_connections:
                transport.write(_BUSY)
                transport.close()
                return
            self._arm()

        def _arm(self) -> None:
            self._disarm()
            if header_timeout > 0:
                self._head_timer = self.loop.call_later(
                    header_timeout, self._head_timeout
                )

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timeout(self) -> None:
            self._head_timer = None
            idle = self.cycle is None or self.cycle.response_complete
            if idle and not self.transport.is_closing():
                self.transport.close()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return LimitedH11Protocol


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The whole body, at most `limit` bytes, each chunk within `timeout` s."""
    chunks: list[bytes] = []
    size = 0
    stream = request.stream().__aiter__()
    while True:
        try:
            async with asyncio.timeout(timeout or None):
                chunk = await anext(stream)
        except StopAsyncIteration:
            return b"".join(chunks)
        except TimeoutError:
            raise BodyTimeout() from None
        size += len(chunk)
        if size > limit:  # chunked (or lying) bodies: stop reading now
            raise BodyTooLarge(size)
        chunks.append(chunk)
