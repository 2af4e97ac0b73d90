"""In-flight checks and migration of durable sessions to another build.

``check(srv, row, build_id)`` replays a RUNNING durable session's journal
against ``build_id`` in a sandbox: a runner in check mode (runner/protocol.py,
``run.check``) on a fresh copy of that build, its session host a stub that
stores nothing and answers no syscall. No activity executes: the first call not
in the journal ends the run. The verdict is ``compatible`` or ``diverges at seq
N: <diff>`` (with the recorded-vs-now table).

``migrate`` moves a session that checks compatible to the build: its row points
to the new build and deployment, and its runner (if any) is stopped so that it
resumes there, as after a restart. Without a migrate a session finishes on its
own build (sessions pin their build: the row's ``build_id``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from akcli.engine.context import EngineContext
from akcli.engine.runner_types import (
    ActivityCall,
    Attempt,
    JournalEntry,
    SyscallError,
)
from akcli.engine.session_runner import SessionRunner
from akcli.states import SessionState
from akcli.store.interface.deployments import DeploymentRow
from akcli.store.interface.sessions import SessionRow
from akcli.store.sqlite.deployments import deployment_row


@dataclass
class Verdict:
    session_id: str
    compatible: bool
    summary: str  # "compatible" or "diverges at seq N: ..."
    detail: str = ""  # the recorded-vs-now table or the error text

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "session_id": self.session_id,
            "compatible": self.compatible,
            "result": self.summary,
        }
        if self.detail:
            out["detail"] = self.detail
        return out


class _CheckHost:
    """A SessionHost that keeps nothing: a check run has no effects."""

    def on_print(self, key: str, text: str) -> None:
        pass

    def on_log(self, level: str, message: str) -> None:
        pass

    def on_activity_start(
        self,
        seq: int,
        name: str,
        args: list[str],
        kwargs: dict[str, str],
        t: float | None = None,
        attempt: Attempt | None = None,
    ) -> None:
        pass

    def on_activity_done(
        self,
        entry: JournalEntry,
        call: ActivityCall | None = None,
        attempt: Attempt | None = None,
    ) -> None:
        pass

    async def on_syscall(self, seq: int | None, op: str, args: dict[str, Any]) -> Any:
        raise SyscallError("not available in a check run")

    def close(self) -> None:
        pass


class ServerSessionRow(SessionRow):
    """A SessionRow that akcli/server/services/durability.py may still index
    like a `sqlite3.Row` (``row["build_id"]``).
    TODO(issue 14): goes once durability.py reads attributes."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


def running_durable(srv: EngineContext, project_id: str) -> list[ServerSessionRow]:
    """The project's RUNNING durable sessions, oldest first."""
    return [
        ServerSessionRow(*_fields(r))
        for r in srv.store.sessions.running_durable(project_id)
    ]


def _fields(row: SessionRow) -> list[Any]:
    return [getattr(row, f) for f in SessionRow.__dataclass_fields__]


def _deployment(dep: DeploymentRow | sqlite3.Row) -> DeploymentRow:
    """The typed row (durability.py still passes a `sqlite3.Row`;
    TODO(issue 14): DeploymentRow only)."""
    return dep if isinstance(dep, DeploymentRow) else deployment_row(dep)


async def check(
    srv: EngineContext,
    runner: SessionRunner,
    row: SessionRow,
    build_id: str,
) -> Verdict:
    """Replay session ``row``'s journal against ``build_id`` (nothing runs)."""
    sid = row.session_id
    code_dir, python = await runner.prepare(build_id)
    try:
        spec = runner.run_spec(row, code_dir, python, check=True)
        handle = await runner.pool.start(spec, _CheckHost())
        outcome = await handle.wait()
    finally:
        runner.remove(code_dir)
    if outcome.state == SessionState.STOPPED:
        return Verdict(sid, True, "compatible", outcome.reason)
    reason = outcome.reason or f"diverges: {outcome.error.splitlines()[:1]}"
    return Verdict(sid, False, reason, outcome.error)


async def migrate(
    srv: EngineContext,
    runner: SessionRunner,
    row: SessionRow,
    deployment: DeploymentRow | sqlite3.Row,
) -> Verdict:
    """Check session ``row`` against the deployment's build; if compatible,
    move it there and restart its runner (it replays on the new build)."""
    dep = _deployment(deployment)
    verdict = await check(srv, runner, row, dep.build_id)
    if not verdict.compatible:
        return verdict
    with srv.store.tx():
        srv.store.sessions.move_build(row.session_id, dep.build_id, dep.deployment_id)
    await runner.resume_elsewhere(row.session_id)
    verdict.summary = f"migrated to {dep.build_id}"
    return verdict
