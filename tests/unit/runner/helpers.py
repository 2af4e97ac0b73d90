"""Test helpers: an in-memory SessionHost and one-call session runs."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from akcli.engine.runner_pool import RunnerHandle, RunnerPool
from akcli.engine.runner_types import (
    ActivityCall,
    JournalEntry,
    RunOutcome,
    RunSpec,
    SyscallError,
)

_dirs = itertools.count(1)


class FakeHost:
    """An in-memory SessionHost: prints by key, journal, syscalls."""

    def __init__(self) -> None:
        self.prints: dict[str, str] = {}  # INSERT OR IGNORE on key
        self.print_log: list[tuple[str, str]] = []  # every print received
        self.journal: list[JournalEntry] = []
        self.journaled: list[int] = []  # seqs received as journal-file lines
        self.flushes = 0
        self.starts: list[tuple[int, str, list[str], dict[str, str]]] = []
        self.start_times: list[tuple[int, float | None]] = []  # runner's start t
        self.syscalls: list[tuple[int | None, str, dict[str, Any]]] = []
        self.logs: list[tuple[str, str]] = []
        self.store: dict[str, Any] = {}
        self.handlers: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {}

    def on_print(self, key: str, text: str) -> None:
        self.print_log.append((key, text))
        self.prints.setdefault(key, text)

    def on_activity_start(
        self,
        seq: int,
        name: str,
        args: list[str],
        kwargs: dict[str, str],
        t: float | None = None,
        attempt: Any = None,
    ) -> None:
        self.starts.append((seq, name, args, kwargs))
        self.start_times.append((seq, t))

    def on_activity_done(
        self, entry: JournalEntry, call: ActivityCall | None = None, attempt: Any = None
    ) -> None:
        if call is not None:  # a fast activity: its call spec came with the result
            self.starts.append((entry.seq, entry.name, call.args, call.kwargs))
            self.start_times.append((entry.seq, call.t))
        self.journal.append(entry)

    def on_activity_journaled(
        self, entry: JournalEntry, call: ActivityCall | None = None, attempt: Any = None
    ) -> None:
        self.journaled.append(entry.seq)  # committed by the runner to its file
        self.on_activity_done(entry, call, attempt)

    def flush(self) -> None:
        self.flushes += 1

    async def on_syscall(self, seq: int | None, op: str, args: dict[str, Any]) -> Any:
        self.syscalls.append((seq, op, args))
        try:
            value = await self._syscall(op, args)
        except SyscallError as e:
            if seq is not None:
                self.journal.append(JournalEntry(seq, op, "json", str(e), True))
            raise
        if seq is not None:
            self.journal.append(JournalEntry(seq, op, "json", value))
        return value

    async def _syscall(self, op: str, args: dict[str, Any]) -> Any:
        if op in self.handlers:
            return await self.handlers[op](args)
        if op == "sleep":
            return {"wake_at": time.time() + float(args["seconds"])}
        if op == "store":
            key, operands = args["key"], args["operands"]
            if args["op"] == "get":
                return self.store.get(key)
            if args["op"] == "set":
                self.store[key] = operands[0]
                return None
            if args["op"] == "list":
                return sorted(self.store)
            raise SyscallError(f"unsupported store op {args['op']}")
        if op == "subscribe":
            if args["source"] == "meow":
                raise SyscallError('source "meow" not found')
            return "sub_1"
        if op == "start":
            return "ses_child"
        if op == "is_deployment_active":
            return True
        return None

    def on_log(self, level: str, message: str) -> None:
        self.logs.append((level, message))

    @property
    def texts(self) -> list[str]:
        """Stored print texts in key order of arrival."""
        return [text for _, text in self.print_log]


def short_socket_dir() -> str:
    """A short directory for Unix sockets (paths must stay under ~100 bytes)."""
    path = os.path.join(tempfile.gettempdir(), f"akt{os.getpid()}-{next(_dirs)}")
    os.makedirs(path, exist_ok=True)
    return path


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write a project (dedented file texts) under ``root/code``."""
    code = root / "code"
    for name, text in files.items():
        path = code / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    code.mkdir(exist_ok=True)
    return code


def make_pool(root: Path, **kw: Any) -> RunnerPool:
    """A pool with a short socket dir and a stage under ``root``."""
    return RunnerPool(short_socket_dir(), str(root / "stage"), **kw)


def make_spec(
    code: Path,
    entrypoint: str = "main.py:main",
    *,
    durable: bool = False,
    journal: list[JournalEntry] | None = None,
    event: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    log_path: str | None = None,
    session_id: str = "ses_test",
    code_cache: str | None = None,
    journal_path: str | None = None,
) -> RunSpec:
    """A RunSpec using this interpreter."""
    base_env = {"PATH": os.environ.get("PATH", "")}
    return RunSpec(
        session_id=session_id,
        python=sys.executable,
        code_dir=str(code),
        entrypoint=entrypoint,
        event=event or {"data": {}, "event_id": None, "event_type": None},
        durable=durable,
        env={**base_env, **(env or {})},
        journal=list(journal or []),
        log_path=log_path,
        code_cache=code_cache,
        journal_path=journal_path,
    )


async def run_spec(
    pool: RunnerPool, spec: RunSpec, host: FakeHost | None = None
) -> tuple[RunOutcome, FakeHost]:
    """Start and wait for one session."""
    host = host or FakeHost()
    handle: RunnerHandle = await pool.start(spec, host)
    outcome = await asyncio.wait_for(handle.wait(), 20)
    return outcome, host


def run_files(
    root: Path,
    files: dict[str, str],
    entrypoint: str = "main.py:main",
    *,
    host: FakeHost | None = None,
    use_zygote: bool = True,
    **spec_kw: Any,
) -> tuple[RunOutcome, FakeHost]:
    """Write ``files`` and run the session to the end (fresh pool)."""
    code = write_files(root, files)

    async def go() -> tuple[RunOutcome, FakeHost]:
        pool = make_pool(root, use_zygote=use_zygote)
        try:
            return await run_spec(pool, make_spec(code, entrypoint, **spec_kw), host)
        finally:
            await pool.close()

    return asyncio.run(go())
