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

    def on_activity_journaled(
        self,
        entry: JournalEntry,
        call: ActivityCall | None = None,
        attempt: Attempt | None = None,
    ) -> None:
        pass  # a check run has no journal file

    def flush(self) -> None:
        pass

    async def on_syscall(self, seq: int | None, op: str, args: dict[str, Any]) -> Any:
        raise SyscallError("not available in a check run")

    def close(self) -> None:
        pass


def running_durable(srv: EngineContext, project_id: str) -> list[SessionRow]:
    """The project's RUNNING durable sessions, oldest first."""
    return srv.store.sessions.running_durable(project_id)


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
    deployment: DeploymentRow,
) -> Verdict:
    """Check session ``row`` against the deployment's build; if compatible,
    move it there and restart its runner (it replays on the new build)."""
    dep = deployment
    verdict = await check(srv, runner, row, dep.build_id)
    if not verdict.compatible:
        return verdict
    with srv.store.tx():
        srv.store.sessions.move_build(row.session_id, dep.build_id, dep.deployment_id)
    await runner.resume_elsewhere(row.session_id)
    verdict.summary = f"migrated to {dep.build_id}"
    return verdict
