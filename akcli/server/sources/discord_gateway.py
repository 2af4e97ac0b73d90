"""The Discord gateway: `GET /gateway/bot`, then hello, identify, heartbeats and
dispatches. MESSAGE_CREATE and friends become `message_create`, ... events;
the bot's own messages are dropped (its user ID comes with READY).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.request
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from akcli.server.receivers.common import Conn, connections, store
from akcli.server.state import Server

DEFAULT_BASE = "https://discord.com/api/v10"
INTENTS = 3276799  # all of them, as upstream
_EVENTS = {
    "MESSAGE_CREATE",
    "MESSAGE_UPDATE",
    "MESSAGE_DELETE",
    "MESSAGE_REACTION_ADD",
    "MESSAGE_REACTION_REMOVE",
    "THREAD_CREATE",
    "THREAD_UPDATE",
    "THREAD_DELETE",
}
_MESSAGE_FIELDS = ("id", "channel_id", "guild_id", "content", "timestamp")


def gateway_url(base: str, token: str) -> str:
    req = urllib.request.Request(
        base.rstrip("/") + "/gateway/bot",
        headers={"Authorization": f"Bot {token}", "User-Agent": "ak (autokitteh)"},
    )
    with urllib.request.urlopen(req, timeout=20) as r:
        return str(json.load(r)["url"])


def message_data(d: dict[str, Any]) -> dict[str, Any]:
    data = dict(d)
    for key in _MESSAGE_FIELDS:
        data.setdefault(key, "")
    author = data.get("author")
    data["author"] = {"id": "", "username": "", "bot": False, **(author or {})}
    return data


async def _beat(ws: ClientConnection, interval: float, state: dict[str, Any]) -> None:
    while True:
        await asyncio.sleep(interval)
        await ws.send(json.dumps({"op": 1, "d": state.get("seq")}))


def _conn(srv: Server, cid: str) -> Conn:
    found = [c for c in connections(srv, "discord") if c.id == cid]
    if not found:
        raise LookupError("connection deleted")
    return found[0]


async def run(srv: Server, cid: str) -> None:
    conn = _conn(srv, cid)
    token = conn.vals["BotToken"]
    base = conn.vals.get("base_url") or DEFAULT_BASE
    url = await asyncio.to_thread(gateway_url, base, token)
    state: dict[str, Any] = {"seq": None, "me": ""}
    async with connect(
        url.rstrip("/") + "/?v=10&encoding=json", max_size=8 << 20
    ) as ws:
        hello = json.loads(await ws.recv())
        interval = float(hello.get("d", {}).get("heartbeat_interval", 41250)) / 1000
        beat = asyncio.get_running_loop().create_task(_beat(ws, interval, state))
        try:
            identify = {
                "token": token,
                "intents": INTENTS,
                "properties": {"os": "linux", "browser": "ak", "device": "ak"},
            }
            await ws.send(json.dumps({"op": 2, "d": identify}))
            async for raw in ws:
                msg = json.loads(raw)
                op = msg.get("op")
                if op in (7, 9):  # reconnect / invalid session
                    return
                if op != 0:
                    continue
                state["seq"] = msg.get("s")
                kind, d = msg.get("t"), msg.get("d") or {}
                if kind == "READY":
                    state["me"] = str((d.get("user") or {}).get("id", ""))
                elif kind in _EVENTS:
                    data = message_data(d)
                    if state["me"] and data["author"]["id"] == state["me"]:
                        continue
                    store(srv, _conn(srv, cid), [(str(kind).lower(), data)])
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await beat
