"""The runner's end of the session socket: writes, and leaving when it breaks.

On EOF or a write error the process exits at once: an orphan runner must not
keep executing user code. Reading is runner/inbox.py's.
"""

from __future__ import annotations

import os
import socket
import threading
from typing import Any, NoReturn

from runner import protocol

__all__ = ["Channel", "exit_orphan"]


def exit_orphan(code: int) -> NoReturn:
    """The server is gone: stop everything now, without cleanup handlers."""
    os._exit(code)


class Channel:
    """The runner's end of the session socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._wlock = threading.Lock()

    def send(self, msg_type: str, payload: dict[str, Any]) -> None:
        """Send one message; exits the process if the server is gone."""
        self.send_line(protocol.encode(msg_type, payload))

    def send_line(self, data: bytes) -> None:
        """Send one encoded message line."""
        with self._wlock:
            try:
                self.sock.sendall(data)
            except OSError:
                exit_orphan(3)
