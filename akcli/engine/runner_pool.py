"""The runner supervisor: starts runner processes for sessions.

One zygote per interpreter (``python -m runner.zygote``, zygote_client.py)
forks a runner per session; if a zygote cannot be used the runner is started
cold (``python -m runner.main``). Each session gets its own Unix socket (the
pool listens, the runner connects) carrying JSON lines, documented in
``runner/protocol.py``; runner_handle.py speaks that protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import sys
from pathlib import Path

from akcli.engine.prefork import Idle, IdleRunners, IdleSpec, send, took
from akcli.engine.runner_handle import EVICTED, RunnerHandle
from akcli.engine.runner_socket import LINE_LIMIT, Admission, Conn
from akcli.engine.runner_types import RunSpec, SessionHost
from akcli.engine.zygote_client import ExitStatus, Zygote
from runner import protocol

# EVICTED and RunnerHandle are imported from here by the engine.
__all__ = ["EVICTED", "RunnerHandle", "RunnerPool", "runner_package_dir"]


def runner_package_dir() -> str:
    """The directory of the installed ``runner`` package."""
    import runner

    # __path__, not __file__: works for regular and namespace-style installs.
    return os.path.abspath(list(runner.__path__)[0])


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
        prefork: int = 0,
    ) -> None:
        self.socket_dir = socket_dir
        self.stage_dir = os.path.abspath(stage_dir)
        self.heartbeat_timeout = heartbeat_timeout
        # A graceful stop not honoured within this time becomes a force stop.
        self.stop_grace = stop_grace
        self.use_zygote = use_zygote
        # Idle runners kept forked per zygote (prefork.py); needs idle_spec.
        self.prefork = prefork
        self.idle_spec: IdleSpec | None = None
        self._idle: dict[str, IdleRunners] = {}
        self._zygotes: dict[str, Zygote] = {}
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

    async def _zygote(self, python: str) -> Zygote:
        async with self._zlock:
            z = self._zygotes.get(python)
            if z is not None and z.alive:
                return z
            if z is not None:
                await self._close_zygote(python)
            n = next(self._ids)
            path = os.path.join(self.socket_dir, f"z{os.getpid()}-{n}.sock")
            z = Zygote(python, path, self.stage_dir)
            await z.start()
            self._zygotes[python] = z
            if self.prefork > 0 and self.idle_spec is not None:
                idle_path = os.path.join(self.socket_dir, f"z{os.getpid()}-{n}i.sock")
                idle = IdleRunners(z, idle_path, self.prefork, self.idle_spec)
                await idle.start()
                self._idle[python] = idle
            return z

    async def _close_zygote(self, python: str) -> None:
        idle = self._idle.pop(python, None)
        if idle is not None:
            await idle.close()
        z = self._zygotes.pop(python, None)
        if z is not None:
            await z.close()

    def take_idle(self, python: str) -> Idle | None:
        """A pre-forked runner of ``python`` (its code dir is the caller's), or None."""
        idle = self._idle.get(python)
        return idle.take() if idle is not None else None

    async def start(
        self, spec: RunSpec, host: SessionHost, idle: Idle | None = None
    ) -> RunnerHandle:
        """Start a runner for ``spec``; the session runs until ``handle.wait()``.

        ``idle``: a pre-forked runner from :meth:`take_idle` whose code dir is
        ``spec.code_dir``; if it died before taking the session, one is forked.
        """
        self._stage()
        if idle is not None:
            handle = self.send_to_idle(idle, spec, host)
            if handle is not None and await self.took(idle, handle):
                return handle
        path = os.path.join(self.socket_dir, f"s{os.getpid()}-{next(self._ids)}.sock")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        admit = Admission()  # one runner per session socket: the one we spawn
        server = await asyncio.start_unix_server(
            admit.on_connect, path, limit=LINE_LIMIT
        )
        handle = RunnerHandle(
            spec,
            host,
            path,
            server,
            admit.connected,
            heartbeat_timeout=self.heartbeat_timeout,
            stop_grace=self.stop_grace,
            on_closed=self._handles.discard,
        )
        try:
            await self._spawn(handle, path)
            admit.expect(handle.pid)
        except BaseException:
            server.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            raise
        self._handles.add(handle)
        handle.begin()
        return handle

    def send_to_idle(
        self, idle: Idle, spec: RunSpec, host: SessionHost
    ) -> RunnerHandle | None:
        """Give the session to a pre-forked runner at once, without awaiting:
        ``assign`` and ``run`` in one write (the runner goes on while the
        server answers the request that made the session). None: no zygote;
        :meth:`took` tells whether the runner took it."""
        self._stage()
        z = self._zygotes.get(spec.python)
        if z is None:
            return None
        connected: asyncio.Future[Conn] = asyncio.get_running_loop().create_future()
        connected.set_result((idle.reader, idle.writer))
        handle = RunnerHandle(
            spec,
            host,
            "",
            None,
            connected,
            heartbeat_timeout=self.heartbeat_timeout,
            stop_grace=self.stop_grace,
            on_closed=self._handles.discard,
        )
        assign = {
            "session_id": spec.session_id,
            "env": spec.env,
            "limits": {"max_memory_mb": spec.max_memory_mb},
            "code_cache": spec.code_cache,
            "journal": spec.journal_path is not None,  # renamed to the session's
        }
        send(
            idle,
            protocol.encode(protocol.ASSIGN, assign)
            + protocol.encode(protocol.RUN, handle.run_payload()),
        )
        handle.run_sent = True
        handle.attach_process(idle.pid, z.exit_future(idle.pid), z)
        return handle

    async def took(self, idle: Idle, handle: RunnerHandle) -> bool:
        """Whether the runner :meth:`send_to_idle` gave ``handle`` to took it;
        if so, the handle serves it from now on. False: nothing of the
        session ran there; start it with :meth:`start` (no ``idle``)."""
        if not await took(idle):
            return False
        self._handles.add(handle)
        handle.begin()
        return True

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
                    "journal": spec.journal_path,
                }
                pid = await z.spawn(payload)
                handle.attach_process(pid, z.exit_future(pid), z)
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
                *(["--journal", spec.journal_path] if spec.journal_path else []),
                cwd=self.stage_dir,
                env=spec.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        finally:
            log.close()

        async def exit_status() -> ExitStatus:
            code = await proc.wait()
            return (code, None) if code >= 0 else (None, -code)

        handle.attach_process(proc.pid, asyncio.ensure_future(exit_status()), None)

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
        for idle in list(self._idle.values()):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(idle.close(), 10)
        self._idle.clear()
        for z in list(self._zygotes.values()):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(z.close(), 10)
        self._zygotes.clear()
