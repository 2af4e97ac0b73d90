"""Starting a session on a pre-forked idle runner, without awaiting anything.

`start_on_idle` runs inside the call that launches the session (for a webhook
without a filter: still inside its request, before the 202 is written): it
writes the build into the idle runner's code dir if it holds another one,
and sends ``assign`` and ``run``. The runner goes on at once, on the other
core, while the server answers the request; `finish` (in the session's task)
waits for its ``hello`` and falls back to a fresh runner if it never came.
`idle_spec` is what each idle runner is forked with (its code dir, prefilled
with the most recent build).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Protocol

from akcli.engine.code_dirs import CodeDirs
from akcli.engine.journal_files import JournalFiles
from akcli.engine.journal_files import discard as discard_journal
from akcli.engine.prefork import Idle
from akcli.engine.runner_handle import RunnerHandle
from akcli.engine.runner_pool import RunnerPool
from akcli.engine.runner_types import RunSpec
from akcli.engine.session_host import DbSessionHost
from akcli.store.interface.sessions import SessionRow


class SessionRunner(Protocol):
    """What this module uses of akcli/engine/session_runner.py's SessionRunner
    (which imports this module)."""

    code: CodeDirs
    pool: RunnerPool
    journal_files: JournalFiles | None
    recent_build: str

    def log_path_wanted(self) -> bool: ...
    def host_for(self, row: SessionRow) -> DbSessionHost: ...
    def isolate(self, code_dir: str) -> dict[str, list[str]] | None: ...
    def store_journal_file(self, sid: str) -> None: ...
    def run_spec(
        self,
        row: SessionRow,
        code_dir: str,
        python: str,
        *,
        check: bool = False,
        journal_path: str | None = None,
    ) -> RunSpec: ...


@dataclass
class Early:
    """A session handed to an idle runner (``handle`` None: no zygote for it)."""

    idle: Idle
    spec: RunSpec
    host: DbSessionHost
    handle: RunnerHandle | None
    code_dir: str


def start_on_idle(runner: SessionRunner, row: SessionRow) -> Early | Exception | None:
    """Hand ``row`` to an idle runner now; None: none is idle for its build
    (start it the slow way). An exception: it failed, its files are gone."""
    runner.recent_build = row.build_id  # what the next idle dirs get
    quick = runner.code.quick(row.build_id)
    if quick is None or runner.log_path_wanted():
        return None
    idle = runner.pool.take_idle(quick[1])
    if idle is None:
        return None
    code_dir, python = idle.code_dir, quick[1]
    try:
        if idle.build_id != row.build_id:
            if idle.build_id:  # another build's files: in place (mounted)
                runner.code.empty(code_dir)
            runner.code.fill(quick[0], code_dir)
        host = runner.host_for(row)
        journal_path = _adopt_journal(runner, row, host, idle)
        spec = runner.run_spec(row, code_dir, python, journal_path=journal_path)
        handle = runner.pool.send_to_idle(idle, spec, host)
        return Early(idle, spec, host, handle, code_dir)
    except Exception as e:  # noqa: BLE001 - raised in the session's task
        runner.code.discard(code_dir)
        discard_journal(idle.journal)
        with contextlib.suppress(Exception):
            idle.writer.close()  # the idle runner exits at EOF
        return e


async def finish(
    runner: SessionRunner, early: Early
) -> tuple[RunnerHandle, DbSessionHost, str]:
    """The handle of a session :func:`start_on_idle` gave away: the idle
    runner's, once it took it, or a freshly forked one's."""
    try:
        handle = early.handle
        if handle is None or not await runner.pool.took(early.idle, handle):
            handle = await runner.pool.start(early.spec, early.host)
        return handle, early.host, early.code_dir
    except BaseException:
        runner.code.discard(early.code_dir)
        raise


def idle_spec(
    runner: SessionRunner, python: str
) -> tuple[str, str, dict[str, list[str]] | None, str | None]:
    """A pre-forked runner's code directory, the build written into it
    (the last session's, if it runs on ``python``; "": none), its
    isolation and its idle journal file (journal_files.py), if durable
    runs use them. The next session of that build skips writing it."""
    code_dir = runner.code.new_dir()
    journal = None
    try:
        build_id, recent = "", runner.recent_build
        quick = runner.code.quick(recent) if recent else None
        if quick is not None and quick[1] == python:
            runner.code.fill(quick[0], code_dir)
            build_id = recent
        if runner.journal_files is not None:
            journal = runner.journal_files.create_idle()
        return code_dir, build_id, runner.isolate(code_dir), journal
    except BaseException:
        runner.code.discard(code_dir)
        raise


def _adopt_journal(
    runner: SessionRunner, row: SessionRow, host: DbSessionHost, idle: Idle
) -> str | None:
    """The journal file of ``row``'s run on pre-forked runner ``idle``: its
    idle file, renamed to the session's before the runner is told to use
    it (``assign.journal``). None: a run without one (the file removed)."""
    idle_path, idle.journal = idle.journal, None
    files = runner.journal_files
    if idle_path is None or files is None or not row.is_durable:
        discard_journal(idle_path)
        return None
    runner.store_journal_file(row.session_id)  # a killed run's results
    host.journal_path = files.adopt(idle_path, row.session_id)
    return host.journal_path
