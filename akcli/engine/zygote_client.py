"""The server's end of a zygote (``python -m runner.zygote``, runner/zygote.py).

A zygote is a warm interpreter that forks one runner per session; the pool
keeps one per interpreter and falls back to a cold start when it cannot be used.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
from typing import Any

from akcli.engine.runner_socket import LINE_LIMIT, START_TIMEOUT, Admission
from akcli.engine.runner_types import BASE_ENV
from runner import protocol

__all__ = ["ExitStatus", "Zygote"]

# A child's (exit code, signal); both None when it is not known.
ExitStatus = tuple[int | None, int | None]


class Zygote:
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
        self._exits: dict[int, asyncio.Future[ExitStatus]] = {}
        self._reader_task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        admit = Admission()
        connected = admit.connected
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)
        self.server = await asyncio.start_unix_server(
            admit.on_connect, self.socket_path, limit=LINE_LIMIT
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
                timeout=START_TIMEOUT,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if connected not in done:
                raise RuntimeError(f"zygote for {self.python} did not start")
            reader, self.writer = connected.result()
            line = await asyncio.wait_for(reader.readline(), START_TIMEOUT)
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

    def exit_future(self, pid: int) -> asyncio.Future[ExitStatus]:
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
        return await asyncio.wait_for(fut, START_TIMEOUT)

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
