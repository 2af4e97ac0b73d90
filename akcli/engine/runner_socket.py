"""Who may talk on a runner socket, and the limits of what it carries.

Shared by the zygote client and the pool: both listen on a Unix socket in the
runtime dir and admit only the process they started.
"""

from __future__ import annotations

import asyncio
import socket
import struct

__all__ = ["LINE_LIMIT", "START_TIMEOUT", "Admission", "Conn", "peer_pid"]

LINE_LIMIT = 64 * 1024 * 1024  # largest message line (pickled results)
START_TIMEOUT = 15.0  # interpreter/zygote start + connect

Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def peer_pid(writer: asyncio.StreamWriter) -> int | None:
    """The pid of the process at the other end of a Unix socket (None: unknown)."""
    sock = writer.get_extra_info("socket")
    opt = getattr(socket, "SO_PEERCRED", None)
    if sock is None or opt is None:
        return None
    try:
        raw = sock.getsockopt(socket.SOL_SOCKET, opt, struct.calcsize("3i"))
    except OSError:
        return None
    return int(struct.unpack("3i", raw)[0])


class Admission:
    """Who may use a socket: only the process we started (its pid, SO_PEERCRED).

    Anyone of the server's user can connect to a socket in the runtime dir;
    the first connection used to win. Connections that arrive before the
    pid is known wait in ``early`` until :meth:`expect` decides.
    """

    def __init__(self) -> None:
        self.connected: asyncio.Future[Conn] = (
            asyncio.get_running_loop().create_future()
        )
        self.pid = 0
        self.early: list[tuple[int | None, Conn]] = []

    def on_connect(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        self._offer(peer_pid(w), (r, w))

    def _offer(self, peer: int | None, conn: Conn) -> None:
        if self.connected.done():
            conn[1].close()
        elif not self.pid:
            self.early.append((peer, conn))
        elif peer is None or peer == self.pid:
            self.connected.set_result(conn)
        else:
            conn[1].close()  # not our process: never trusted

    def expect(self, pid: int) -> None:
        self.pid = pid
        early, self.early = self.early, []
        for peer, conn in early:
            self._offer(peer, conn)
