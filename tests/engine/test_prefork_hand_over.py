"""prefork.send + prefork.took: a session counts as taken only when the runner said so.

The other end of a socket pair plays the idle runner: it says `hello` (took the
session), or dies without a word (nothing of the session ran: the pool starts
it on a fresh runner instead).
"""

from __future__ import annotations

import asyncio
import os
import socket

from akcli.engine.prefork import Idle, send, took
from runner import protocol


async def _idle(peer_says: bytes | None) -> tuple[bool, bytes]:
    ours, theirs = socket.socketpair()
    reader, writer = await asyncio.open_connection(sock=ours)
    idle = Idle(pid=2**22 + 1, reader=reader, writer=writer, code_dir="/nonexistent")

    def peer() -> bytes:
        got = theirs.recv(65536)
        if peer_says is not None:
            theirs.sendall(peer_says)
        theirs.close()  # as a runner killed with -9 would
        return got

    task = asyncio.get_running_loop().run_in_executor(None, peer)
    lines = protocol.encode(protocol.ASSIGN, {"session_id": "s"}) + protocol.encode(
        protocol.RUN, {"session_id": "s"}
    )
    send(idle, lines)  # at once, without awaiting anything
    taken = await took(idle)
    got = await task
    writer.close()
    return taken, got


def test_taken_when_the_runner_says_hello() -> None:
    hello = protocol.encode(protocol.HELLO, {"pid": os.getpid()})
    taken, got = asyncio.run(_idle(hello))
    assert taken
    assert got.count(b"\n") == 2  # assign and run, in one write


def test_not_taken_when_the_runner_dies_first() -> None:
    taken, _ = asyncio.run(_idle(None))
    assert not taken


def test_not_taken_on_another_message() -> None:
    taken, _ = asyncio.run(_idle(protocol.encode(protocol.HEARTBEAT, {})))
    assert not taken
