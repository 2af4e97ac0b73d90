"""One session's runner process, as the server sees it.

:meth:`RunnerHandle.wait` always returns: a runner that dies, stops
heartbeating or breaks the protocol ends in an ``error`` outcome naming the
cause; a force stop kills the runner's process group. The pool
(runner_pool.py) starts the process and hands it over with
:meth:`RunnerHandle.attach_process`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from akcli.engine import chaos
from akcli.engine import runner_messages as messages
from akcli.engine.line_reader import LineReader
from akcli.engine.runner_socket import LINE_LIMIT, START_TIMEOUT, Conn
from akcli.engine.runner_types import (
    Evicted,
    RunOutcome,
    RunSpec,
    SessionHost,
    Superseded,
    SyscallError,
)
from akcli.engine.zygote_client import ExitStatus, Zygote
from runner import protocol

log = logging.getLogger("ak.sessions")

__all__ = ["EVICTED", "RunnerHandle", "killpg"]

# The state of a run that ended with its wait stored (the session goes on).
EVICTED = "evicted"

_EXIT_STATUS_TIMEOUT = 3.0  # wait for a dead runner's exit status


def describe_exit(status: int | None, sig: int | None) -> str:
    """The error text of a runner that died: its signal or exit code."""
    if sig is not None:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return f"runner process exited with signal {sig} ({name})"
    if status is not None:
        return f"runner process exited with exit code {status}"
    return "runner process exited unexpectedly"


def killpg(pid: int, sig: int = signal.SIGKILL) -> None:
    """Kill a runner's process group (it is gone already: nothing to do).

    A runner forked a moment ago may not have called ``setsid`` yet: there is
    no group of that id, so the process itself is killed (it has no children
    before it runs user code)."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
    except PermissionError:
        pass


class RunnerHandle:
    """One running session's runner process.

    ``on_closed`` is called once the run is over and its socket is gone (the
    pool forgets the handle); ``heartbeat_timeout`` and ``stop_grace`` are the
    pool's settings.
    """

    def __init__(
        self,
        spec: RunSpec,
        host: SessionHost,
        socket_path: str,
        server: asyncio.Server | None,
        connected: asyncio.Future[Conn],
        *,
        heartbeat_timeout: float,
        stop_grace: float,
        on_closed: Callable[[RunnerHandle], None],
    ) -> None:
        self.pid = 0
        self.spec = spec
        self._heartbeat_timeout = heartbeat_timeout
        self._stop_grace = stop_grace
        self._on_closed = on_closed
        self._host = host
        self._socket_path = socket_path
        self._server = server
        self._connected = connected
        self._writer: asyncio.StreamWriter | None = None
        self._wlock = asyncio.Lock()
        self._outcome: RunOutcome | None = None  # set by a message that ends the run
        self._exit: asyncio.Future[ExitStatus] | None = None
        self._zygote: Zygote | None = None
        self._forced: str | None = None
        self._pending_stop: str | None = None
        self._evicting = False  # the wait is stored; the runner was told to exit
        self._escalate: asyncio.Task[None] | None = None
        self._syscalls: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[RunOutcome] | None = None
        # The pool sent ``run`` already (with a pre-forked runner's ``assign``).
        self.run_sent = False
        # Journal file mode: results are committed by the runner; stored in
        # one transaction per loop iteration (_flush), never acknowledged.
        self._journaled = spec.journal_path is not None
        self._flush_due = False
        self._lines: LineReader | None = None

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
                killpg(self.pid)
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
        grace = self._stop_grace
        with contextlib.suppress(TimeoutError):
            if self._task is None:
                await asyncio.sleep(grace)
            else:
                await asyncio.wait_for(asyncio.shield(self._task), grace)
        if self._task is None or not self._task.done():
            await self.stop(reason, force=True)

    # -- for the pool ------------------------------------------------------------

    def attach_process(
        self, pid: int, exit: asyncio.Future[ExitStatus], zygote: Zygote | None
    ) -> None:
        """The runner process was started: its pid, its exit status to come, and
        the zygote that forked it (None: a cold start, our own child)."""
        self.pid = pid
        self._exit = exit
        self._zygote = zygote

    def begin(self) -> None:
        """Serve the runner's socket until the run ends (see :meth:`wait`)."""
        self._task = asyncio.create_task(self._serve())

    # -- internals -----------------------------------------------------------

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
        return describe_exit(status, sig)

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

    async def _connect(self) -> Conn | None:
        assert self._exit is not None
        died = asyncio.ensure_future(asyncio.shield(self._exit))
        try:
            waiters: set[asyncio.Future[Any]] = {self._connected, died}
            done, _ = await asyncio.wait(
                waiters,
                timeout=START_TIMEOUT,
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
        lines = LineReader(
            writer.transport.get_protocol(),
            self._on_line,
            self._heartbeat_timeout,
            LINE_LIMIT,
        )
        reader.feed_eof()  # what it buffered so far is all it will get
        try:
            early = await reader.read()  # returns at once after feed_eof
        except Exception:
            early = b""
        self._writer = writer
        self._lines = lines
        lines.attach(writer.transport, early)
        try:
            return await self._serve_lines(lines)
        finally:
            lines.close()

    def run_payload(self) -> dict[str, Any]:
        """The ``run`` message of this session."""
        spec = self.spec
        run = {
            "session_id": spec.session_id,
            "entrypoint": spec.entrypoint,
            "event": spec.event,
            "durable": spec.durable,
            "journal": [e.to_wire() for e in spec.journal],
        }
        if spec.check:
            run["check"] = True
        if chaos.DIR is not None and self._journaled:
            plan = chaos.runner_plan(spec.session_id)
            if plan is not None:
                run["chaos"] = plan
        return run

    async def _serve_lines(self, lines: LineReader) -> RunOutcome:
        if not self.run_sent:
            await self._send(protocol.RUN, self.run_payload())
        if self._pending_stop is not None:
            await self._send(
                protocol.STOP, {"reason": self._pending_stop, "force": False}
            )
        await lines.ended  # the runner's messages are handled by _on_line
        if self._outcome is not None:
            return self._outcome
        if lines.end == "overrun":
            killpg(self.pid)
            return RunOutcome("error", error="runner sent a message over 64 MiB")
        if lines.end == "silent":
            killpg(self.pid)
            timeout = self._heartbeat_timeout
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
            killpg(self.pid)
            self._outcome = RunOutcome("error", error=f"runner protocol error: {e}")
            return True
        try:
            self._outcome = self._handle(msg_type, payload)
        except Superseded:
            self._superseded()
            return True
        except Exception as e:  # a supervisor bug must not hang the session
            self._outcome = RunOutcome("error", error=f"runner supervisor error: {e!r}")
        return self._outcome is not None

    def _handle(self, msg_type: str, p: dict[str, Any]) -> RunOutcome | None:
        host = self._host
        if msg_type == protocol.PRINT:
            host.on_print(str(p.get("key", "")), str(p.get("text", "")))
        elif msg_type == protocol.ACTIVITY_START:
            start = messages.activity_start(p)
            start_args = (start.seq, start.name, start.args, start.kwargs)
            if start.attempt is not None:
                host.on_activity_start(*start_args, t=start.t, attempt=start.attempt)
            else:
                host.on_activity_start(*start_args, t=start.t)
        elif msg_type == protocol.ACTIVITY_DONE:
            done = messages.activity_done(p)
            entry = done.entry
            if self._journaled and not p.get("ack"):  # in the runner's file
                if chaos.DIR is not None:
                    chaos.received(self.spec.session_id, entry.seq)
                host.on_activity_journaled(entry, done.call, done.attempt)
                if not self._flush_due:  # after the other lines of this read
                    self._flush_due = True
                    asyncio.get_running_loop().call_soon(self._flush)
                return None
            if done.attempt is not None:
                later = host.on_activity_done(entry, done.call, attempt=done.attempt)
            else:
                later = host.on_activity_done(entry, done.call)  # committed
            if later is not None:  # ack once the host's own recording is done
                task = asyncio.create_task(self._ack_after(later, entry.seq))
                self._syscalls.add(task)
                task.add_done_callback(self._syscalls.discard)
            elif self._writer is not None:
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
            return messages.done(p)
        elif msg_type == protocol.EVICTED:
            return RunOutcome(EVICTED)
        # hello, heartbeat and unknown types only prove liveness.
        return None

    def _superseded(self) -> None:
        """A newer run of the session holds it (another worker): kill this
        runner without writing anything; the session stays RUNNING there."""
        log.warning("session %s: run superseded by a newer one", self.spec.session_id)
        killpg(self.pid)
        self._outcome = RunOutcome(EVICTED)

    def _flush(self) -> None:
        """Store the journaled results received so far (one commit); a store
        that fails ends the run as a failed commit did before acks."""
        self._flush_due = False
        try:
            self._host.flush()
        except Superseded:
            self._superseded()
            if self._lines is not None:
                self._lines.stop()
        except Exception as e:
            if self._outcome is None:
                self._outcome = RunOutcome(
                    "error", error=f"runner supervisor error: {e!r}"
                )
            if self._lines is not None:
                self._lines.stop()

    async def _ack_after(self, later: Awaitable[None], seq: int) -> None:
        await later
        if self._writer is not None:
            with contextlib.suppress(ConnectionError, RuntimeError):
                self._writer.write(protocol.encode_ack(seq))

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
        except Superseded:  # no reply: the runner is killed
            self._superseded()
            return
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
            killpg(self.pid)
        if self._zygote is None and self._exit is not None:
            # Cold path: reap our own child so its transport closes.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._exit), 5)
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
        if self._server is not None:  # None: a pre-forked runner's shared socket
            self._server.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._socket_path)
        if self._zygote is not None:
            self._zygote.forget(self.pid)
        self._on_closed(self)
