"""Event sources that need no public URL: outbound websockets the server keeps.

For each configured connection: Slack Socket Mode (`private_app_token`) and the
Discord gateway (`BotToken`). A source reconnects with backoff; an event is
acknowledged only after it is committed. The set of sources follows the
connections: `reconcile()` runs at start and after every connection change.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable

from akcli.server.receivers.common import Conn, connections
from akcli.server.state import Server

log = logging.getLogger("ak.sources")

Runner = Callable[[Server, str], Awaitable[None]]


def _wanted(srv: Server) -> dict[str, tuple[str, Runner]]:
    from akcli.server.sources import discord_gateway, slack_socket

    out: dict[str, tuple[str, Runner]] = {}

    def key(c: Conn, *names: str) -> str:
        text = "\0".join(c.vals.get(n, "") for n in names)
        return hashlib.sha256(text.encode()).hexdigest()

    for c in connections(srv, "slack"):
        if c.vals.get("private_app_token"):
            out[c.id] = (key(c, "private_app_token", "base_url"), slack_socket.run)
    for c in connections(srv, "discord"):
        if c.vals.get("BotToken"):
            out[c.id] = (key(c, "BotToken", "base_url"), discord_gateway.run)
    return out


class EventSources:
    def __init__(self, srv: Server) -> None:
        self.srv = srv
        self.tasks: dict[str, tuple[str, asyncio.Task[None]]] = {}
        self.started = False

    async def start(self) -> None:
        self.started = True
        self.reconcile()

    def reconcile(self) -> None:
        """Start, restart (changed credentials) or stop sources; on the loop."""
        if not self.started:
            return
        wanted = _wanted(self.srv)
        for cid, (k, task) in list(self.tasks.items()):
            if cid not in wanted or wanted[cid][0] != k or task.done():
                task.cancel()
                del self.tasks[cid]
        for cid, (k, run) in wanted.items():
            if cid not in self.tasks:
                task = asyncio.get_running_loop().create_task(
                    _forever(run, self.srv, cid), name=f"source {cid}"
                )
                self.tasks[cid] = (k, task)

    async def stop(self) -> None:
        self.started = False
        tasks = [t for _, t in self.tasks.values()]
        self.tasks.clear()
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t


BACKOFF_MAX = 60.0


async def _forever(run: Runner, srv: Server, cid: str) -> None:
    """Run a source; after any failure wait (1 s, doubling up to a minute)."""
    delay = srv.config.get_duration("connections.reconnect_delay")
    while True:
        started = asyncio.get_running_loop().time()
        try:
            await run(srv, cid)
            log.info("connection %s: event source closed, reconnecting", cid)
        except asyncio.CancelledError:
            raise
        except LookupError:  # the connection is gone
            return
        except Exception as e:  # noqa: BLE001 - any failure means: reconnect later
            log.warning("connection %s: event source failed: %s", cid, type(e).__name__)
        if asyncio.get_running_loop().time() - started > 30:
            delay = srv.config.get_duration("connections.reconnect_delay")
        await asyncio.sleep(delay)
        delay = min(delay * 2, BACKOFF_MAX)
