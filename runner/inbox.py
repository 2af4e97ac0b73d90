"""The runner's read side of the session socket: what the server sent.

There is no reader thread: a thread that waits for the server (an activity's
``ack``, a ``syscall_result``, the end of a sleep) reads the socket itself while
no other thread does, and dispatches what it reads; the others wait on a
condition and take over the reading when it leaves. So an ack wakes the
workflow thread directly (a hop through a reader thread costs ~30 us on a VM, a
tenth of an activity). The heartbeat thread reads when nobody else does
(:meth:`Inbox.drain`: a stop request; EOF).
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from runner import protocol
from runner.channel import Channel, exit_orphan

__all__ = ["Inbox"]

_monotonic = time.monotonic

_RECV_SIZE = 64 * 1024  # below glibc's mmap threshold: no mmap/munmap per read


class Inbox:
    """Acks and syscall results by id; other messages go to ``dispatch``
    (called holding the inbox's lock, like the ``ready`` tests of :meth:`wait`)."""

    def __init__(
        self, chan: Channel, dispatch: Callable[[str, dict[str, Any]], None]
    ) -> None:
        self._chan = chan
        self._dispatch = dispatch
        # Guards _reading and the received state below (a plain lock: _read_turn
        # releases it once around the read).
        self._cv = threading.Condition(threading.Lock())
        self._reading = False  # a thread is reading the socket
        self._partial: list[bytes] = []  # received bytes of an incomplete line
        self._acks: set[int] = set()
        self._results: dict[int, dict[str, Any]] = {}
        self._poller = select.poll()
        if chan.sock is not None:  # None: a replay (runner/replay.py)
            self._poller.register(chan.sock, select.POLLIN)

    # -- what arrived (for ``ready`` tests, called holding the lock) ----------

    def take_ack(self, seq: int) -> bool:
        """True (once) when the server acknowledged journal entry ``seq``."""
        acks = self._acks
        if seq in acks:
            acks.discard(seq)
            return True
        return False

    def has_result(self, call_id: int) -> bool:
        return call_id in self._results

    def pop_result(self, call_id: int) -> dict[str, Any] | None:
        """The ``syscall_result`` of ``call_id`` (None: not received)."""
        with self._cv:
            return self._results.pop(call_id, None)

    # -- waiting and reading ------------------------------------------------

    def wait(self, ready: Callable[[], bool], deadline: float | None = None) -> bool:
        """Wait until ``ready()`` (called under the lock) or the monotonic
        ``deadline``; read the socket meanwhile unless another thread does.
        True if ready."""
        cv = self._cv
        with cv:
            while not ready():
                timeout = None if deadline is None else deadline - _monotonic()
                if timeout is not None and timeout <= 0:
                    return False
                if self._reading:
                    cv.wait(timeout)
                else:
                    self._read_turn(timeout)
            return True

    def drain(self) -> None:
        """Read what the server sent if no thread is reading (heartbeat thread)."""
        with self._cv:
            if not self._reading:
                self._read_turn(0.0)

    def poll(self) -> None:
        """Take what the server sent, without waiting (after each journaled
        activity: a stop request is honoured at the next boundary, as when the
        workflow waited for acks)."""
        if self._reading:  # that reader dispatches it
            return
        try:
            if not self._poller.poll(0):  # the common case: nothing, no lock
                return
        except RuntimeError:  # another thread polls it right now
            return
        with self._cv:
            if not self._reading:
                self._read_turn(0.0)

    def _read_turn(self, timeout: float | None) -> None:
        """Called holding _cv: take the reader role, release _cv for one read
        (waiting at most ``timeout`` seconds for data; None: no limit), then
        dispatch the complete lines and wake the waiters."""
        self._reading = True
        self._cv.release()
        try:
            lines = self._read(timeout)
        finally:
            self._cv.acquire()
            self._reading = False
        for line in lines:
            seq = protocol.decode_ack(line)  # the common case, without json
            if seq is not None:
                self._acks.add(seq)
                continue
            try:
                self._on_message(*protocol.decode(line))
            except (ValueError, KeyError, TypeError):
                exit_orphan(3)  # not our server's protocol
        self._cv.notify_all()  # waiters check their messages; one reads next

    def _read(self, timeout: float | None) -> list[bytes]:
        """One read from the socket; the complete lines received."""
        sock = self._chan.sock
        try:
            if timeout == 0:  # one syscall: most polls find nothing
                data = sock.recv(_RECV_SIZE, socket.MSG_DONTWAIT)
            elif timeout is not None and not select.select([sock], [], [], timeout)[0]:
                return []
            else:
                data = sock.recv(_RECV_SIZE)
        except BlockingIOError:
            return []
        except (OSError, ValueError):
            exit_orphan(3)
        if not data:
            exit_orphan(3)  # EOF: the server is gone
        if b"\n" not in data:
            self._partial.append(data)
            return []
        if self._partial:
            data = b"".join(self._partial) + data
            self._partial.clear()
        *lines, rest = data.split(b"\n")
        if rest:
            self._partial.append(rest)
        return lines

    def _on_message(self, msg_type: str, payload: dict[str, Any]) -> None:
        # Called holding _cv.
        if msg_type == protocol.ACK:
            self._acks.add(int(payload["seq"]))
        elif msg_type == protocol.SYSCALL_RESULT:
            self._results[int(payload["id"])] = payload
        else:
            self._dispatch(msg_type, payload)
