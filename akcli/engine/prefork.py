"""Pre-forked idle runners of one zygote (runner/protocol.py, *Pre-forked runners*).

A zygote keeps ``count`` runners forked, isolated and connected before any
session needs them; a session start takes one (:meth:`IdleRunners.take`) and
the pool hands it the session (runner_pool.py), which skips the fork, the
runner's set-up and its connect on the way from event to handler. Each idle
runner owns a code directory, bind-mounted into its isolated view, that holds
the build the server's last session ran (written before the fork, off any
session's way) or nothing; the taker writes (or rewrites) the session's build
into it unless it is already there, and (journal
files on) an empty idle journal file it opened before isolating, which the
server renames to the session's when it takes it (journal_files.py). A runner
serves one session and exits, as a freshly forked one does.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass

from akcli.engine.journal_files import discard as discard_journal
from akcli.engine.runner_socket import LINE_LIMIT, START_TIMEOUT, peer_pid
from akcli.engine.zygote_client import ExitStatus, Zygote
from runner import protocol

__all__ = ["Idle", "IdleRunners", "IdleSpec"]

log = logging.getLogger("ak.sessions")

# A new idle runner of the interpreter ``python``: its code directory, the
# build already written into it ("": empty), its isolation (None: isolation
# off) and its idle journal file (None: durable runs wait for acks).
IdleSpec = Callable[[str], tuple[str, str, dict[str, list[str]] | None, str | None]]

_GIVE_UP = 3  # idle runners in a row that died before they were ready


@dataclass
class Idle:
    """One connected idle runner, ready for a session."""

    pid: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    code_dir: str
    journal: str | None = None  # its idle journal file: the taker's to rename
    build_id: str = ""  # the build its code dir holds ("": empty)

    def usable(self) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing()


def _kill(pid: int) -> None:
    """SIGKILL an idle runner's process group (it called setsid first)."""
    import signal

    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)
            return


class IdleRunners:
    """The idle runners of ``zygote``, kept at ``count``."""

    def __init__(
        self, zygote: Zygote, socket_path: str, count: int, spec: IdleSpec
    ) -> None:
        self.zygote = zygote
        self.socket_path = socket_path
        self.count = count
        self._spec = spec
        self._ready: list[Idle] = []
        self._dirs: dict[int, str] = {}  # pid -> code dir, forked and not taken
        self._journals: dict[int, str | None] = {}  # pid -> idle journal file
        self._builds: dict[int, str] = {}  # pid -> the build in its code dir
        self._early: dict[int, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}
        self._forking = 0
        self._failures = 0
        self._closed = False
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)
        self._server = await asyncio.start_unix_server(
            self._on_connect, self.socket_path, limit=LINE_LIMIT
        )
        self.refill()

    # -- taking one ------------------------------------------------------------

    def take(self) -> Idle | None:
        """A ready idle runner, now the caller's (its code dir too), or None."""
        while self._ready:
            idle = self._ready.pop(0)
            self._dirs.pop(idle.pid, None)
            if idle.usable():
                self._journals.pop(idle.pid, None)  # idle.journal: the caller's
                self._builds.pop(idle.pid, None)
                self.refill()
                return idle
            self._discard(idle.pid, idle.code_dir, idle.writer)
        self.refill()
        return None

    # -- keeping ``count`` --------------------------------------------------------

    def refill(self) -> None:
        """Fork idle runners until ``count`` are ready or on their way."""
        if self._closed or self._failures >= _GIVE_UP or not self.zygote.alive:
            return
        while len(self._dirs) + self._forking < self.count:
            self._forking += 1
            self._spawn_task()

    def _spawn_task(self) -> None:
        task = asyncio.create_task(self._fork())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fork(self) -> None:
        code_dir, journal = "", None
        try:
            code_dir, build_id, isolate, journal = self._spec(self.zygote.python)
            pid = await self.zygote.spawn(
                {
                    "idle": True,
                    "socket_path": self.socket_path,
                    "code_dir": code_dir,
                    "isolate": isolate,
                    "journal": journal,
                }
            )
        except Exception as e:  # noqa: BLE001 - sessions fork on demand instead
            log.warning("cannot pre-fork a runner: %s", e)
            self._failures += 1
            if code_dir:
                shutil.rmtree(code_dir, ignore_errors=True)
            discard_journal(journal)
            return
        finally:
            self._forking -= 1
        self._dirs[pid] = code_dir
        self._journals[pid] = journal
        self._builds[pid] = build_id
        self.zygote.exit_future(pid).add_done_callback(
            functools.partial(self._exited, pid)
        )
        if self._closed:
            self._discard(pid, code_dir, None)
            return
        early = self._early.pop(pid, None)
        if early is not None:
            self._admit(pid, *early)
        if not self._forking:  # every pid we forked is known: the rest are strangers
            for _, w in self._early.values():
                w.close()
            self._early.clear()

    def _on_connect(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        pid = peer_pid(w)
        if pid is not None and pid in self._dirs:
            self._admit(pid, r, w)
        elif pid is not None and self._forking and len(self._early) < 64:
            self._early[pid] = (r, w)  # its spawned reply may be on its way
        else:
            w.close()  # not a runner we forked: never trusted

    def _admit(
        self, pid: int, r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> None:
        task = asyncio.create_task(self._ready_when_hello(pid, r, w))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _ready_when_hello(
        self, pid: int, r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> None:
        """Ready once it says ``hello {idle}`` (isolated, waiting for ``assign``)."""
        try:
            line = await asyncio.wait_for(r.readline(), START_TIMEOUT)
            msg_type, payload = protocol.decode(line) if line else ("", {})
        except (TimeoutError, ValueError, OSError):
            msg_type, payload = "", {}
        except asyncio.CancelledError:  # closing
            w.close()
            raise
        code_dir = self._dirs.get(pid)
        if code_dir is None:  # exited or closed meanwhile
            w.close()
            return
        if msg_type != protocol.HELLO or not payload.get("idle"):
            self._failures += 1
            self._dirs.pop(pid, None)
            self._discard(pid, code_dir, w)
            return
        self._failures = 0
        journal = self._journals.get(pid)
        self._ready.append(
            Idle(pid, r, w, code_dir, journal, self._builds.get(pid, ""))
        )

    def _exited(self, pid: int, fut: asyncio.Future[ExitStatus]) -> None:
        """An idle runner died (or its zygote did) before it was taken."""
        code_dir = self._dirs.pop(pid, None)
        if code_dir is None:
            return  # taken: its session's handle owns it now
        idle = next((i for i in self._ready if i.pid == pid), None)
        if idle is not None:
            self._ready.remove(idle)
        self._discard(pid, code_dir, idle.writer if idle is not None else None)
        self.zygote.forget(pid)
        self.refill()

    def _discard(self, pid: int, code_dir: str, w: asyncio.StreamWriter | None) -> None:
        _kill(pid)
        if w is not None:
            w.close()
        shutil.rmtree(code_dir, ignore_errors=True)
        discard_journal(self._journals.pop(pid, None))
        self._builds.pop(pid, None)

    async def close(self) -> None:
        """Kill every idle runner and stop listening."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for idle in self._ready:
            self._discard(idle.pid, idle.code_dir, idle.writer)
        self._ready.clear()
        for pid, code_dir in list(self._dirs.items()):
            self._discard(pid, code_dir, None)
        self._dirs.clear()
        for _, w in self._early.values():
            w.close()
        self._early.clear()
        if self._server is not None:
            self._server.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)


def send(idle: Idle, lines: bytes) -> None:
    """Write ``lines`` (``assign`` and ``run``) now; :func:`took` tells whether
    the runner took them. A failed write shows there as EOF or silence."""
    with contextlib.suppress(OSError, RuntimeError):
        idle.writer.write(lines)


async def took(idle: Idle) -> bool:
    """True once the runner took the session :func:`send` gave it (its
    ``hello``, said before it reads ``run``). False: it died or hung first,
    so nothing of the session ran; it is killed."""
    line: bytes | None
    try:
        line = await asyncio.wait_for(idle.reader.readline(), START_TIMEOUT)
    except (TimeoutError, ValueError, OSError):
        line = None
    if line is None:  # hung: killed; it took the session only if it said so
        _kill(idle.pid)
        try:
            line = await asyncio.wait_for(idle.reader.readline(), START_TIMEOUT)
        except (TimeoutError, ValueError, OSError):
            line = b""
    try:
        msg_type = protocol.decode(line)[0] if line else ""
    except ValueError:
        msg_type = ""
    if msg_type == protocol.HELLO:
        return True
    _kill(idle.pid)
    idle.writer.close()
    return False
