"""The runner supervisor: starts runner processes and speaks their protocol.

One zygote per interpreter (``python -m runner.zygote``) forks a runner per
session; if a zygote cannot be used the runner is started cold
(``python -m runner.main``). Each session gets its own Unix socket (the pool
listens, the runner connects) carrying JSON lines, documented in
``runner/protocol.py``. :meth:`RunnerHandle.wait` always returns: a runner that
dies, stops heartbeating or breaks the protocol ends in an ``error`` outcome
naming the cause; a force stop kills the runner's process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from akcli.engine.runner_types import (
    BASE_ENV,
    ActivityCall,
    Attempt,
    Evicted,
    JournalEntry,
    RunOutcome,
    RunSpec,
    SessionHost,
    SyscallError,
)
from runner import protocol

__all__ = ["EVICTED", "RunnerHandle", "RunnerPool"]

# The state of a run that ended with its wait stored (the session goes on).
EVICTED = "evicted"

_LINE_LIMIT = 64 * 1024 * 1024  # largest message line (pickled results)
# Bytes asked of each recv_into: below glibc's mmap threshold (128 KiB), see _Lines.
_CHUNK = 64 * 1024
_START_TIMEOUT = 15.0  # interpreter/zygote start + connect
_EXIT_STATUS_TIMEOUT = 3.0  # wait for a dead runner's exit status


def runner_package_dir() -> str:
    """The directory of the installed ``runner`` package."""
    import runner

    # __path__, not __file__: works for regular and namespace-style installs.
    return os.path.abspath(list(runner.__path__)[0])


def _describe_exit(status: int | None, sig: int | None) -> str:
    if sig is not None:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return f"runner process exited with signal {sig} ({name})"
    if status is not None:
        return f"runner process exited with exit code {status}"
    return "runner process exited unexpectedly"


def _killpg(pid: int, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _peer_pid(writer: asyncio.StreamWriter) -> int | None:
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


Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class _Admission:
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
        self._offer(_peer_pid(w), (r, w))

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


class _Zygote:
    """A warm interpreter that forks runners; reached over a control socket."""

    def __init__(self, python: str, socket_path: str, stage_dir: str) -> None:
        self.python = python
        self.socket_path = socket_path
        self.stage_dir = stage_dir
        self.proc: asyncio.subprocess.Process | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.server: asyncio.Server | None = None
        self.alive = False
        self._ids = itertools.count(1)
        self._spawns: dict[int, asyncio.Future[int]] = {}
        self._exits: dict[int, asyncio.Future[tuple[int | None, int | None]]] = {}
        self._reader_task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        admit = _Admission()
        connected = admit.connected
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)
        self.server = await asyncio.start_unix_server(
            admit.on_connect, self.socket_path, limit=_LINE_LIMIT
        )
        # Sessions get BASE_ENV plus their own variables: starting the zygote with
        # no more leaves each forked runner little to unset.
        env = {k: os.environ[k] for k in BASE_ENV if k in os.environ}
        env["PYTHONPATH"] = self.stage_dir
        self.proc = await asyncio.create_subprocess_exec(
            self.python,
            "-m",
            "runner.zygote",
            "--control",
            self.socket_path,
            cwd=self.stage_dir,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        admit.expect(self.proc.pid)
        died = asyncio.ensure_future(self.proc.wait())
        try:
            waiters: set[asyncio.Future[Any]] = {connected, died}
            done, _ = await asyncio.wait(
                waiters,
                timeout=_START_TIMEOUT,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if connected not in done:
                raise RuntimeError(f"zygote for {self.python} did not start")
            reader, self.writer = connected.result()
            line = await asyncio.wait_for(reader.readline(), _START_TIMEOUT)
            msg_type, _ = protocol.decode(line)
            if msg_type != protocol.HELLO:
                raise RuntimeError(f"zygote sent {msg_type!r} instead of hello")
        except BaseException:
            died.cancel()
            await self.close()
            raise
        died.cancel()
        self.alive = True
        self._reader_task = asyncio.create_task(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                msg_type, payload = protocol.decode(line)
                if msg_type == protocol.SPAWNED:
                    fut = self._spawns.pop(int(payload.get("id") or 0), None)
                    if fut is not None and not fut.done():
                        if payload.get("pid"):
                            fut.set_result(int(payload["pid"]))
                        else:
                            fut.set_exception(RuntimeError(str(payload.get("error"))))
                elif msg_type == protocol.EXITED:
                    exit_fut = self.exit_future(int(payload["pid"]))
                    if not exit_fut.done():
                        exit_fut.set_result(
                            (payload.get("status"), payload.get("signal"))
                        )
        except (OSError, ValueError):
            pass
        finally:
            self.alive = False
            for fut in self._spawns.values():
                if not fut.done():
                    fut.set_exception(RuntimeError("zygote exited"))
            self._spawns.clear()
            for exit_fut in self._exits.values():
                if not exit_fut.done():
                    exit_fut.set_result((None, None))

    def exit_future(self, pid: int) -> asyncio.Future[tuple[int | None, int | None]]:
        """A future for ``(exit code, signal)`` of child ``pid``."""
        fut = self._exits.get(pid)
        if fut is None:
            fut = asyncio.get_running_loop().create_future()
            if not self.alive and self.proc is not None:
                fut.set_result((None, None))
            self._exits[pid] = fut
        return fut

    def forget(self, pid: int) -> None:
        """Drop the bookkeeping of a finished child."""
        self._exits.pop(pid, None)

    async def spawn(self, payload: dict[str, Any]) -> int:
        """Fork a runner; returns its pid."""
        if not self.alive or self.writer is None:
            raise RuntimeError("zygote is not running")
        req_id = next(self._ids)
        fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._spawns[req_id] = fut
        async with self._lock:
            self.writer.write(
                protocol.encode(protocol.SPAWN, {"id": req_id, **payload})
            )
            await self.writer.drain()
        return await asyncio.wait_for(fut, _START_TIMEOUT)

    async def close(self) -> None:
        """Stop the zygote (its children are killed by their handles)."""
        self.alive = False
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.writer.wait_closed(), 2)
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.proc.wait(), 5)
        if self._reader_task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(self._reader_task, 1)
        if self.server is not None:
            self.server.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)


class _Lines(asyncio.BufferedProtocol):
    """The server's end of a runner socket: hands each JSON line to ``on_line``.

    Installed on the transport right after the runner connects, in place of the
    StreamReader, because an activity's round trip is dominated by per-message
    overhead: a StreamReader transport reads into a fresh 256 KiB bytes object
    each time, which glibc serves with mmap/munmap (a TLB shootdown per message,
    ~100 us on a VM), and ``wait_for(readline())`` costs a Task, a timer and a
    loop iteration per line. Here reads go into one reused buffer and each
    complete line is handled right in the read callback. The heartbeat watchdog
    is one timer, re-armed when it fires.

    ``ended`` resolves once reading is over, ``end`` saying why: ``"handled"``
    (``on_line`` returned True), ``"eof"``, ``"overrun"`` (a line longer than
    ``limit``) or ``"silent"`` (nothing received for ``timeout`` seconds).
    The replaced StreamReaderProtocol still gets ``connection_lost`` and the
    write flow control, so the StreamWriter's ``drain`` and ``wait_closed``
    keep working.
    """

    def __init__(
        self,
        stream: asyncio.BaseProtocol,
        on_line: Callable[[bytes], bool],
        timeout: float,
        limit: int,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self.end = ""
        self.ended: asyncio.Future[None] = self._loop.create_future()
        self._stream = stream
        self._on_line = on_line
        self._limit = limit
        self._buf = bytearray(_CHUNK)
        self._start = 0  # first byte not handled yet
        self._end = 0  # end of the received bytes
        self._scan = 0  # no newline in _buf[_start:_scan]
        self._transport: asyncio.BaseTransport | None = None
        self._timeout = timeout
        self._last = self._loop.time()
        self._timer = self._loop.call_at(self._last + timeout, self._watchdog)

    def attach(self, transport: asyncio.BaseTransport, early: bytes) -> None:
        """Take over ``transport``; ``early`` is what the StreamReader had buffered."""
        self._transport = transport
        transport.set_protocol(self)
        if early:
            view = self.get_buffer(len(early))  # room for at least that much
            view[: len(early)] = early
            del view
            self.buffer_updated(len(early))
        if transport.is_closing():
            self._finish("eof")

    def close(self) -> None:
        """Stop the watchdog (the run is over)."""
        self._timer.cancel()

    def _finish(self, why: str) -> None:
        if self.end:
            return
        self.end = why
        self._timer.cancel()
        if why != "eof" and isinstance(self._transport, asyncio.ReadTransport):
            self._transport.pause_reading()
        if not self.ended.done():
            self.ended.set_result(None)

    def _watchdog(self) -> None:
        if self._loop.time() - self._last >= self._timeout:
            self._finish("silent")
        else:
            self._timer = self._loop.call_at(self._last + self._timeout, self._watchdog)

    # -- asyncio.BufferedProtocol ----------------------------------------------

    def get_buffer(self, sizehint: int) -> memoryview:
        want = max(sizehint, _CHUNK)
        if self._start == self._end:
            self._start = self._end = self._scan = 0
            if len(self._buf) > 4 * _CHUNK:  # done with a big message
                self._buf = bytearray(_CHUNK)
        if len(self._buf) - self._end < want:
            # Move the partial line to the front; grow if that leaves no room.
            n = self._end - self._start
            with memoryview(self._buf) as old:
                if n + want > len(self._buf):
                    new = bytearray(max(2 * len(self._buf), n + want))
                    new[:n] = old[self._start : self._end]
                else:
                    new = self._buf
                    new[:n] = bytes(old[self._start : self._end])
            self._buf = new
            self._scan -= self._start
            self._start, self._end = 0, n
        return memoryview(self._buf)[self._end :]

    def buffer_updated(self, nbytes: int) -> None:
        self._end += nbytes
        self._last = self._loop.time()
        if self.end:  # the run is over: drop what comes after
            self._start = self._scan = self._end
            return
        buf = self._buf
        i = buf.find(b"\n", self._scan, self._end)
        if i >= 0:
            with memoryview(buf) as view:
                while i >= 0:
                    line = view[self._start : i + 1].tobytes()
                    self._start = i + 1
                    if self._on_line(line):
                        self._finish("handled")
                        self._start = self._end
                        break
                    i = buf.find(b"\n", self._start, self._end)
        self._scan = self._end
        if self._end - self._start > self._limit:
            self._finish("overrun")

    def eof_received(self) -> bool | None:
        self._finish("eof")
        return None  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._finish("eof")
        self._stream.connection_lost(exc)

    def pause_writing(self) -> None:
        self._stream.pause_writing()

    def resume_writing(self) -> None:
        self._stream.resume_writing()


class RunnerHandle:
    """One running session's runner process."""

    def __init__(
        self,
        pool: RunnerPool,
        spec: RunSpec,
        host: SessionHost,
        socket_path: str,
        server: asyncio.Server,
        connected: asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
    ) -> None:
        self.pid = 0
        self.spec = spec
        self._pool = pool
        self._host = host
        self._socket_path = socket_path
        self._server = server
        self._connected = connected
        self._writer: asyncio.StreamWriter | None = None
        self._wlock = asyncio.Lock()
        self._outcome: RunOutcome | None = None  # set by a message that ends the run
        self._exit: asyncio.Future[tuple[int | None, int | None]] | None = None
        self._zygote: _Zygote | None = None
        self._forced: str | None = None
        self._pending_stop: str | None = None
        self._evicting = False  # the wait is stored; the runner was told to exit
        self._escalate: asyncio.Task[None] | None = None
        self._syscalls: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[RunOutcome] | None = None

    # -- public API ------------------------------------------------------------

    async def wait(self) -> RunOutcome:
        """Wait for the end of the run; always returns an outcome."""
        assert self._task is not None
        return await asyncio.shield(self._task)

    async def stop(self, reason: str, force: bool) -> None:
        """Ask the runner to stop (graceful), or kill its process group (force)."""
        if self._task is not None and self._task.done():
            return
        if force:
            self._forced = reason or "stopped"
            if self.pid:
                _killpg(self.pid)
            return
        if self._escalate is None:
            self._escalate = asyncio.create_task(self._force_after_grace(reason))
        if self._writer is None:
            self._pending_stop = reason
            return
        await self._send(protocol.STOP, {"reason": reason, "force": False})

    async def _force_after_grace(self, reason: str) -> None:
        """A graceful stop cannot interrupt user code that never yields (e.g. a
        real ``time.sleep`` in a non-durable session): force it after the grace."""
        grace = self._pool.stop_grace
        with contextlib.suppress(TimeoutError):
            if self._task is None:
                await asyncio.sleep(grace)
            else:
                await asyncio.wait_for(asyncio.shield(self._task), grace)
        if self._task is None or not self._task.done():
            await self.stop(reason, force=True)

    # -- internals -----------------------------------------------------------

    def _begin(self) -> None:
        self._task = asyncio.create_task(self._serve())

    async def _send(self, msg_type: str, payload: dict[str, Any]) -> None:
        writer = self._writer
        if writer is None:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            writer.write(protocol.encode(msg_type, payload))
            if writer.transport.get_write_buffer_size():
                async with self._wlock:
                    await writer.drain()

    async def _exit_message(self) -> str:
        if self._exit is None:
            return "runner process exited unexpectedly"
        try:
            status, sig = await asyncio.wait_for(
                asyncio.shield(self._exit), _EXIT_STATUS_TIMEOUT
            )
        except Exception:
            return "runner process exited unexpectedly"
        return _describe_exit(status, sig)

    async def _serve(self) -> RunOutcome:
        try:
            outcome = await self._serve_inner()
        except Exception as e:  # a supervisor bug must not hang the session
            outcome = RunOutcome("error", error=f"runner supervisor error: {e!r}")
        finally:
            await self._cleanup()
        if self._forced is not None and outcome.state == "error":
            outcome = RunOutcome("stopped", reason=self._forced)
        return outcome

    async def _connect(
        self,
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        assert self._exit is not None
        died = asyncio.ensure_future(asyncio.shield(self._exit))
        try:
            waiters: set[asyncio.Future[Any]] = {self._connected, died}
            done, _ = await asyncio.wait(
                waiters,
                timeout=_START_TIMEOUT,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            if not died.done():
                died.cancel()
        if self._connected in done:
            return self._connected.result()
        return None

    async def _serve_inner(self) -> RunOutcome:
        conn = await self._connect()
        if conn is None:
            if self._forced is not None:
                return RunOutcome("stopped", reason=self._forced)
            msg = await self._exit_message() if self._exit_done() else ""
            return RunOutcome("error", error=msg or "runner did not connect in time")
        reader, writer = conn
        lines = _Lines(
            writer.transport.get_protocol(),
            self._on_line,
            self._pool.heartbeat_timeout,
            _LINE_LIMIT,
        )
        reader.feed_eof()  # what it buffered so far is all it will get
        try:
            early = await reader.read()  # returns at once after feed_eof
        except Exception:
            early = b""
        self._writer = writer
        lines.attach(writer.transport, early)
        try:
            return await self._serve_lines(lines)
        finally:
            lines.close()

    async def _serve_lines(self, lines: _Lines) -> RunOutcome:
        spec = self.spec
        run = {
            "session_id": spec.session_id,
            "entrypoint": spec.entrypoint,
            "event": spec.event,
            "durable": spec.durable,
            "journal": [e.to_wire() for e in spec.journal],
        }
        await self._send(protocol.RUN, run)
        if self._pending_stop is not None:
            await self._send(
                protocol.STOP, {"reason": self._pending_stop, "force": False}
            )
        await lines.ended  # the runner's messages are handled by _on_line
        if self._outcome is not None:
            return self._outcome
        if lines.end == "overrun":
            _killpg(self.pid)
            return RunOutcome("error", error="runner sent a message over 64 MiB")
        if lines.end == "silent":
            _killpg(self.pid)
            timeout = self._pool.heartbeat_timeout
            return RunOutcome(
                "error",
                error=f"runner stopped responding (no heartbeat for {timeout:g} s)",
            )
        if self._forced is not None:
            return RunOutcome("stopped", reason=self._forced)
        if self._evicting:  # it died before answering: its wait is stored anyway
            return RunOutcome(EVICTED)
        return RunOutcome("error", error=await self._exit_message())

    def _exit_done(self) -> bool:
        return self._exit is not None and self._exit.done()

    def _on_line(self, line: bytes) -> bool:
        """Handle one runner message, in the socket's read callback: no task
        switch on the activity hot path. True when it ended the run."""
        try:
            msg_type, payload = protocol.decode(line)
        except ValueError as e:  # json.JSONDecodeError included
            _killpg(self.pid)
            self._outcome = RunOutcome("error", error=f"runner protocol error: {e}")
            return True
        try:
            self._outcome = self._handle(msg_type, payload)
        except Exception as e:  # a supervisor bug must not hang the session
            self._outcome = RunOutcome("error", error=f"runner supervisor error: {e!r}")
        return self._outcome is not None

    def _handle(self, msg_type: str, p: dict[str, Any]) -> RunOutcome | None:
        host = self._host
        if msg_type == protocol.PRINT:
            host.on_print(str(p.get("key", "")), str(p.get("text", "")))
        elif msg_type == protocol.ACTIVITY_START:
            start_args = (
                int(p["seq"]),
                str(p.get("name", "")),
                [str(a) for a in p.get("args") or []],
                {str(k): str(v) for k, v in (p.get("kwargs") or {}).items()},
            )
            t = _unix_time(p.get("t"))  # when it started
            if "attempt" in p:  # a retried activity (runner/retrying.py)
                attempt = Attempt(int(p["attempt"]))
                host.on_activity_start(*start_args, t=t, attempt=attempt)
            else:
                host.on_activity_start(*start_args, t=t)
        elif msg_type == protocol.ACTIVITY_DONE:
            entry = JournalEntry(
                seq=int(p["seq"]),
                name=str(p.get("name", "")),
                kind="pickle",
                value=p.get("result"),
                is_error=bool(p.get("is_error")),
            )
            call = None
            if "args" in p:  # no activity_start was sent: the call spec is here
                call = ActivityCall(
                    [str(a) for a in p.get("args") or []],
                    {str(k): str(v) for k, v in (p.get("kwargs") or {}).items()},
                    _unix_time(p.get("t")),
                )
            if "attempt" in p:  # a retried activity (runner/retrying.py)
                err = p.get("error")
                attempt = Attempt(int(p["attempt"]), None if err is None else str(err))
                host.on_activity_done(entry, call, attempt=attempt)
            else:
                host.on_activity_done(entry, call)  # committed when it returns
            if self._writer is not None:
                # The runner waits for this before the workflow goes on, so at
                # most one ack is in flight: no drain.
                self._writer.write(protocol.encode_ack(entry.seq))
        elif msg_type == protocol.SYSCALL:
            task = asyncio.create_task(self._syscall(p))
            self._syscalls.add(task)
            task.add_done_callback(self._syscalls.discard)
        elif msg_type == protocol.LOG:
            host.on_log(str(p.get("level", "info")), str(p.get("message", "")))
        elif msg_type == protocol.DONE:
            return RunOutcome(
                state=str(p.get("state") or "error"),
                value=p.get("value"),
                value_pickle=p.get("value_pickle"),
                error=str(p.get("error") or ""),
                reason=str(p.get("reason") or ""),
            )
        elif msg_type == protocol.EVICTED:
            return RunOutcome(EVICTED)
        # hello, heartbeat and unknown types only prove liveness.
        return None

    async def _syscall(self, p: dict[str, Any]) -> None:
        call_id = p.get("id")
        seq = p.get("seq")
        reply: dict[str, Any] = {"id": call_id}
        try:
            value = await self._host.on_syscall(
                int(seq) if seq is not None else None,
                str(p.get("op", "")),
                dict(p.get("args") or {}),
            )
            json.dumps(value)
            reply["value"] = value
        except SyscallError as e:
            reply["error"] = str(e)
        except Evicted:  # committed: no reply, the runner exits
            self._evicting = True
            await self._send(protocol.EVICT, {})
            return
        except Exception as e:
            reply["error"] = f"internal error: {e!r}"
        await self._send(protocol.SYSCALL_RESULT, reply)

    async def _cleanup(self) -> None:
        for task in list(self._syscalls):
            task.cancel()
        if self.pid:
            _killpg(self.pid)
        if self._zygote is None and self._exit is not None:
            # Cold path: reap our own child so its transport closes.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._exit), 5)
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
        self._server.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._socket_path)
        if self._zygote is not None:
            self._zygote.forget(self.pid)
        self._pool._handles.discard(self)


class RunnerPool:
    """Starts runners for sessions, one warm zygote per interpreter."""

    def __init__(
        self,
        socket_dir: str,
        stage_dir: str,
        heartbeat_timeout: float = 10.0,
        *,
        use_zygote: bool = True,
        stop_grace: float = 10.0,
    ) -> None:
        self.socket_dir = socket_dir
        self.stage_dir = os.path.abspath(stage_dir)
        self.heartbeat_timeout = heartbeat_timeout
        # A graceful stop not honoured within this time becomes a force stop.
        self.stop_grace = stop_grace
        self.use_zygote = use_zygote
        self._zygotes: dict[str, _Zygote] = {}
        self._zlock = asyncio.Lock()
        self._handles: set[RunnerHandle] = set()
        self._ids = itertools.count(1)
        self._staged = False

    def _stage(self) -> None:
        if self._staged:
            return
        os.makedirs(self.socket_dir, mode=0o700, exist_ok=True)
        os.makedirs(self.stage_dir, exist_ok=True)
        pkg = runner_package_dir()
        for name, target in (
            ("runner", pkg),
            ("autokitteh", os.path.join(pkg, "autokitteh")),
        ):
            link = Path(self.stage_dir, name)
            if link.is_symlink() and os.readlink(link) == target:
                continue
            tmp = Path(self.stage_dir, f".{name}.{os.getpid()}")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(target)
            os.replace(tmp, link)
        self._staged = True

    async def _zygote(self, python: str) -> _Zygote:
        async with self._zlock:
            z = self._zygotes.get(python)
            if z is not None and z.alive:
                return z
            if z is not None:
                await z.close()
            path = os.path.join(
                self.socket_dir, f"z{os.getpid()}-{next(self._ids)}.sock"
            )
            z = _Zygote(python, path, self.stage_dir)
            await z.start()
            self._zygotes[python] = z
            return z

    async def start(self, spec: RunSpec, host: SessionHost) -> RunnerHandle:
        """Start a runner for ``spec``; the session runs until ``handle.wait()``."""
        self._stage()
        path = os.path.join(self.socket_dir, f"s{os.getpid()}-{next(self._ids)}.sock")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        admit = _Admission()  # one runner per session socket: the one we spawn
        server = await asyncio.start_unix_server(
            admit.on_connect, path, limit=_LINE_LIMIT
        )
        handle = RunnerHandle(self, spec, host, path, server, admit.connected)
        try:
            await self._spawn(handle, path)
            admit.expect(handle.pid)
        except BaseException:
            server.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            raise
        self._handles.add(handle)
        handle._begin()
        return handle

    async def _spawn(self, handle: RunnerHandle, path: str) -> None:
        spec = handle.spec
        if self.use_zygote:
            try:
                z = await self._zygote(spec.python)
                payload = {
                    "session_id": spec.session_id,
                    "socket_path": path,
                    "code_dir": spec.code_dir,
                    "env": spec.env,
                    "log_path": spec.log_path,
                    "limits": {"max_memory_mb": spec.max_memory_mb},
                    "code_cache": spec.code_cache,
                    "isolate": spec.isolate,
                }
                handle.pid = await z.spawn(payload)
                handle._zygote = z
                handle._exit = z.exit_future(handle.pid)
                return
            except (TimeoutError, OSError, RuntimeError) as e:
                print(f"ak: zygote unavailable, cold start: {e}", file=sys.stderr)
        await self._cold_start(handle, path)

    async def _cold_start(self, handle: RunnerHandle, path: str) -> None:
        spec = handle.spec
        log = open(spec.log_path or os.devnull, "ab")  # noqa: SIM115 (closed below)
        try:
            proc = await asyncio.create_subprocess_exec(
                spec.python,
                "-m",
                "runner.main",
                "--socket",
                path,
                "--code-dir",
                spec.code_dir,
                *(
                    ["--max-memory-mb", str(spec.max_memory_mb)]
                    if spec.max_memory_mb
                    else []
                ),
                *(["--code-cache", spec.code_cache] if spec.code_cache else []),
                *(["--isolate", json.dumps(spec.isolate)] if spec.isolate else []),
                cwd=self.stage_dir,
                env=spec.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        finally:
            log.close()
        handle.pid = proc.pid

        async def exit_status() -> tuple[int | None, int | None]:
            code = await proc.wait()
            return (code, None) if code >= 0 else (None, -code)

        handle._exit = asyncio.ensure_future(exit_status())

    async def close(self) -> None:
        """Kill every runner and zygote."""
        handles = list(self._handles)
        for h in handles:
            await h.stop("runner pool closed", force=True)
        if handles:  # concurrently, bounded: shutdown must never hang on one runner
            waits = [asyncio.ensure_future(h.wait()) for h in handles]
            _, pending = await asyncio.wait(waits, timeout=5)
            for fut in pending:
                fut.cancel()
        for z in list(self._zygotes.values()):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(z.close(), 10)
        self._zygotes.clear()


def _unix_time(value: Any) -> float | None:
    """A runner-sent unix time, or None if absent or not a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
