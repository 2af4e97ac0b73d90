"""A scripted websocket server on 127.0.0.1 (fake Slack Socket Mode / Discord gateway)."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from websockets.asyncio.server import ServerConnection, serve


class FakeWS:
    """Each accepted connection is announced on `connections`; a test then
    sends frames with `send` and reads the client's frames with `recv`."""

    def __init__(self) -> None:
        self.url = ""
        self.loop = asyncio.new_event_loop()
        self.accepted: queue.Queue[int] = queue.Queue()
        self.inbox: queue.Queue[Any] = queue.Queue()
        self.current: ServerConnection | None = None
        self.count = 0

    async def _handler(self, ws: ServerConnection) -> None:
        self.current = ws
        self.count += 1
        self.accepted.put(self.count)
        try:
            async for raw in ws:
                self.inbox.put(json.loads(raw))
        except Exception:  # noqa: BLE001 - a dropped client just ends
            pass

    def send(self, obj: Any) -> None:
        ws = self.current
        assert ws is not None
        asyncio.run_coroutine_threadsafe(ws.send(json.dumps(obj)), self.loop).result(10)

    def close(self) -> None:
        ws = self.current
        assert ws is not None
        asyncio.run_coroutine_threadsafe(ws.close(), self.loop).result(10)

    def recv(self, timeout: float = 20) -> Any:
        return self.inbox.get(timeout=timeout)

    def wait_connection(self, timeout: float = 30) -> int:
        return self.accepted.get(timeout=timeout)


@contextmanager
def fake_ws() -> Iterator[FakeWS]:
    fake = FakeWS()
    ready = threading.Event()
    stop: asyncio.Future[None] | None = None

    async def main() -> None:
        nonlocal stop
        stop = fake.loop.create_future()
        async with serve(fake._handler, "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            fake.url = f"ws://127.0.0.1:{port}/"
            ready.set()
            await stop

    thread = threading.Thread(
        target=fake.loop.run_until_complete, args=(main(),), daemon=True
    )
    thread.start()
    ready.wait(10)
    try:
        yield fake
    finally:
        assert stop is not None
        fake.loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(10)
        fake.loop.close()
