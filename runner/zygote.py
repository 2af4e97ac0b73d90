"""The zygote: a warm interpreter that forks one runner per session.

``python -m runner.zygote --control <socket>`` (cwd and PYTHONPATH = the stage
directory). It imports the runner and the SDK (never user code), connects to the
server's control socket, says ``hello {pid, python_version}`` and then serves
``spawn`` requests with ``os.fork()`` (a few ms instead of an interpreter start).
It reaps children and reports ``exited {pid, status, signal}``. When the control
socket closes, the zygote exits (its children notice their own sockets).
"""

from __future__ import annotations

# Pre-imports (unused names here) warm up what every session needs.
import argparse
import ast  # noqa: F401
import asyncio  # noqa: F401
import contextlib
import gc
import os
import pickle  # noqa: F401
import resource  # noqa: F401 (runner.process_env.apply_limits)
import select
import signal
import socket
import sys
import traceback  # noqa: F401
from typing import Any

import autokitteh  # noqa: F401

from runner import (  # noqa: F401
    call,
    errors_fmt,
    loader,
    main,
    printing,
    process_env,
    protocol,
    reaper,
    syscalls,
)

# The C module behind ``signal``: its functions skip the enum conversion of
# every old handler that ``signal.signal`` does (measurable per fork).
_signal: Any = sys.modules["_signal"]


def _detach(req: dict[str, Any], closers: list[int]) -> None:
    """In a forked child: default signals, own session, stdio, sys.path."""
    _signal.set_wakeup_fd(-1)
    # _signal, not signal: no enum conversion of every old handler.
    for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
        _signal.signal(sig, _signal.SIG_DFL)
    _signal.signal(signal.SIGPIPE, _signal.SIG_IGN)
    for fd in closers:
        with contextlib.suppress(OSError):
            os.close(fd)
    os.setsid()
    log_path = req.get("log_path") or os.devnull
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    stage = os.path.dirname(os.path.dirname(os.path.abspath(main.__file__)))
    main.fix_sys_path(os.path.realpath(str(req["code_dir"])), stage)


def _child(req: dict[str, Any], closers: list[int]) -> None:
    """In the forked child: become the session runner (or, ``idle``, a
    pre-forked runner waiting for its session). Never returns."""
    try:
        _detach(req, closers)
        code_dir = os.path.realpath(str(req["code_dir"]))
        journal = str(req["journal"]) if req.get("journal") else None
        if req.get("idle"):
            main.run_preforked(
                str(req["socket_path"]), code_dir, req.get("isolate") or None, journal
            )
        process_env.set_environ(
            {str(k): str(v) for k, v in (req.get("env") or {}).items()}
        )
        process_env.apply_limits(req.get("limits"))
        cache = req.get("code_cache")
        main.run_session(
            str(req["socket_path"]),
            code_dir,
            str(cache) if cache else None,
            req.get("isolate") or None,
            journal,
        )
    except BaseException as e:
        try:
            sys.stderr.write(f"runner: {e!r}\n")
            sys.stderr.flush()
        except Exception:
            pass
    os._exit(1)


class Zygote:
    """The fork server loop."""

    def __init__(self, control: socket.socket) -> None:
        self.sock = control
        self.buf = b""
        self.children: set[int] = set()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        os.set_blocking(self.wake_r, False)

    def send(self, msg_type: str, payload: dict[str, Any]) -> None:
        self.sock.sendall(protocol.encode(msg_type, payload))

    def spawn(self, req: dict[str, Any]) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(req, [self.sock.fileno(), self.wake_r, self.wake_w])
        self.children.add(pid)
        self.send(
            protocol.SPAWNED,
            {"id": req.get("id"), "session_id": req.get("session_id"), "pid": pid},
        )

    def reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            if pid not in self.children:
                continue  # an orphan of a dead runner, adopted: not reported
            self.children.discard(pid)
            # A runner ended: its descendants, re-parented to us, end too.
            reaper.end_children(keep=self.children)
            code = os.waitstatus_to_exitcode(status)
            payload = {
                "pid": pid,
                "status": code if code >= 0 else None,
                "signal": -code if code < 0 else None,
            }
            self.send(protocol.EXITED, payload)

    def serve(self) -> None:
        # Move everything imported so far out of the GC's reach: a collection in
        # a forked runner would otherwise touch (copy-on-write) every page.
        gc.collect()
        gc.freeze()
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        while True:
            fds = [self.sock.fileno(), self.wake_r]
            ready, _, _ = select.select(fds, [], [], 1.0)
            if self.wake_r in ready:
                try:
                    while os.read(self.wake_r, 512):
                        pass
                except BlockingIOError:
                    pass
            self.reap()
            if self.sock.fileno() in ready:
                data = self.sock.recv(65536)
                if not data:
                    return
                self.buf += data
                while b"\n" in self.buf:
                    line, self.buf = self.buf.split(b"\n", 1)
                    msg_type, payload = protocol.decode(line)
                    if msg_type == protocol.SPAWN:
                        self.spawn(payload)


def cli(argv: list[str] | None = None) -> None:
    """``python -m runner.zygote --control <socket>``."""
    parser = argparse.ArgumentParser(prog="runner.zygote")
    parser.add_argument("--control", required=True)
    args = parser.parse_args(argv)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(args.control)
    reaper.become_subreaper()  # a dead runner's daemons come to us, to be ended
    zygote = Zygote(sock)
    version = ".".join(str(v) for v in sys.version_info[:3])
    zygote.send(protocol.HELLO, {"pid": os.getpid(), "python_version": version})
    with contextlib.suppress(OSError, ValueError, KeyboardInterrupt):
        zygote.serve()
    os._exit(0)


if __name__ == "__main__":
    from runner import zygote as _zygote

    _zygote.cli()
