"""Runs sessions: CREATED rows become runner processes; outcomes become states.

On start-up, durable sessions that were RUNNING are replayed from their journal;
non-durable ones cannot be resumed and end in ERROR with the reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import time
from typing import Any

from akcli.engine import chaos, idle_start, waits
from akcli.engine.code_dirs import CodeDirs
from akcli.engine.context import EngineContext
from akcli.engine.journal_files import JournalFiles, use_files
from akcli.engine.runner_pool import EVICTED, RunnerHandle, RunnerPool
from akcli.engine.runner_types import RunOutcome, RunSpec
from akcli.engine.session_env import session_env
from akcli.engine.session_host import DbSessionHost, load_journal
from akcli.engine.sessions_store import add_log
from akcli.engine.syscalls import signal_parent_on_end
from akcli.paths import private_dir
from akcli.states import SessionState
from akcli.store.db import now
from akcli.store.errors import StoreError
from akcli.store.interface.sessions import SessionRow

log = logging.getLogger("ak.sessions")

MAX_CONCURRENT = 512
RESTART_REASON = (
    "the ak server restarted while this non-durable session was running;"
    " non-durable sessions cannot resume (use is_durable: true)"
)


class SessionRunner:
    def __init__(self, srv: EngineContext, worker_id: str = "") -> None:
        self.srv = srv
        rt = private_dir(srv.paths.runtime_dir)
        self.pool = RunnerPool(
            socket_dir=str(rt),
            stage_dir=str(private_dir(rt / "stage", "runner stage dir")),
            heartbeat_timeout=srv.config.get_duration("pythonrt.heartbeat_timeout"),
            stop_grace=srv.config.get_duration("pythonrt.stop_grace"),
            prefork=srv.config.get_int("pythonrt.prefork"),
        )
        self.worker_id = worker_id
        self.handles: dict[str, RunnerHandle] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.forced: dict[str, str] = {}
        self.stopping: dict[str, str] = {}
        self.moving: set[str] = set()  # sessions whose runner restarts elsewhere
        # Bound how many sessions are being started at once: a burst of webhooks
        # should not fork hundreds of runners that then fight for the CPU.
        self._starting = asyncio.Semaphore(max(4, 2 * (os.cpu_count() or 1)))
        self.code = CodeDirs(srv, rt)
        self.pool.idle_spec = lambda python: idle_start.idle_spec(self, python)
        self._wake_timer = waits.WakeTimer(srv)
        self.journal_files = JournalFiles(srv, rt) if use_files(srv) else None
        self.recent_build = ""  # the last started session's: idle dirs get it
        if chaos.DIR is not None:
            chaos.watch(self._runner_pid)

    def _runner_pid(self, sid: str) -> int | None:
        handle = self.handles.get(sid)
        return handle.pid if handle is not None else None

    # -- lifecycle -------------------------------------------------------

    async def open(self) -> None:
        """Connect what the runner needs before sessions start (nothing here)."""

    def recover(self) -> None:
        """After a restart: fail non-durable RUNNING sessions, replay durable ones.

        Only sessions this worker may take: its own, orphaned ones, and those of
        workers whose lease expired (see `take_orphans`)."""
        if self.journal_files is not None:
            self.journal_files.remove_idle()  # no runner is forked yet
        self.take_orphans()

    def take_orphans(self) -> None:
        """Claim the RUNNING sessions of no live worker: durable ones replay
        here, non-durable ones end in ERROR (their runner died with its worker).

        SQLite has one server per database file: every other owner is dead."""
        store = self.srv.store
        if getattr(self.srv.db, "dialect", "sqlite") == "sqlite":
            since = float("inf")
        else:
            lease = self.srv.config.get_duration("workers.lease_timeout")
            since = time.time() - lease
        live = store.workers.live(since)
        sids = [
            s
            for s in store.workers.orphaned_running(self.worker_id, since)
            if s not in self.tasks
        ]
        if not sids:
            return
        with store.tx():
            sids = [
                s for s in sids if store.sessions.take_over(s, self.worker_id, live)
            ]
        rows = store.sessions.running_among(sids)
        if rows:
            log.warning(
                "worker %s takes over %d sessions of stopped workers",
                self.worker_id,
                len(rows),
            )
        evicted = waits.evicted_ids(self.srv)  # woken by wake_evicted when due
        durable = [r.session_id for r in rows if r.is_durable]
        for sid in durable:  # before park_sleepers reads the journal
            self.store_journal_file(sid)
        evicted |= waits.park_sleepers(
            self.srv, [s for s in durable if s not in evicted]
        )
        for row in rows:
            if row.session_id in evicted:
                continue
            if row.is_durable:
                self._launch(row)
            else:
                self._finish(
                    row.session_id,
                    RunOutcome(state=SessionState.ERROR, error=RESTART_REASON),
                )

    def start_created(self) -> None:
        free = MAX_CONCURRENT - len(self.tasks)
        if free <= 0:
            return
        rows = self.srv.store.sessions.in_state(SessionState.CREATED, free)
        rows = [r for r in rows if r.session_id not in self.tasks]
        with self.srv.store.tx():  # one commit for the whole batch
            rows = [r for r in rows if self._mark_running(r)]
        for row in rows:
            self._launch(row)
        self.wake_evicted()

    def wake_evicted(self) -> None:
        """Give a fresh runner to each evicted session whose wait is over."""
        if not self._wake_timer.may_scan():
            return
        free = MAX_CONCURRENT - len(self.tasks)
        for row in waits.take_due(self.srv, set(self.tasks), free, self.worker_id):
            self._launch(row)
        self._wake_timer.arm(waits.next_wake(self.srv))

    async def close(self) -> None:
        self._wake_timer.close()
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:  # bounded: a stuck session must not keep the server from exiting
            await asyncio.wait(tasks, timeout=5)
        await self.pool.close()
        # Sessions still RUNNING get a fresh copy when they resume.
        shutil.rmtree(self.code.root, ignore_errors=True)

    # -- one session -----------------------------------------------------

    def _mark_running(self, row: SessionRow) -> bool:
        """Claim a CREATED session for this worker; False if another one did."""
        sid = row.session_id
        if not self.srv.store.sessions.mark_running(sid, now(), self.worker_id):
            return False
        run_id = self.srv.ids.new("run")
        add_log(
            self.srv,
            sid,
            {
                "state": {
                    "running": {
                        "run_id": run_id,
                        "call": {
                            "function": {
                                "name": row.entry_name,
                                "path": row.entry_path,
                            }
                        },
                    }
                }
            },
        )
        return True

    def _launch(self, row: SessionRow) -> None:
        """Run a session marked RUNNING (now, or before a restart)."""
        sid = row.session_id
        if sid in self.tasks:
            return
        early = idle_start.start_on_idle(self, row)  # its runner goes on now
        self.tasks[sid] = asyncio.create_task(
            self._run(row, early), name=f"session {sid}"
        )

    async def _run(
        self, row: SessionRow, early: idle_start.Early | Exception | None = None
    ) -> None:
        sid = row.session_id
        code_dir = ""
        try:
            if isinstance(early, Exception):
                raise early
            if early is not None:
                handle, host, code_dir = await idle_start.finish(self, early)
            else:
                async with self._starting:
                    handle, host, code_dir = await self._start(row)
            self.handles[sid] = handle
            if sid in self.stopping:  # asked while the runner was starting
                await handle.stop(self.stopping[sid], sid in self.forced)
            outcome = await handle.wait()
            host.close()  # keeps the call spec of an activity that never finished
        except asyncio.CancelledError:
            raise  # server shutting down: the session stays RUNNING and resumes
        except Exception as e:  # noqa: BLE001 - any failure to start ends the session
            log.exception("session %s failed to start", sid)
            outcome = RunOutcome(
                state=SessionState.ERROR, error=f"failed to start session: {e}"
            )
        finally:
            self.handles.pop(sid, None)
            self.tasks.pop(sid, None)
            if code_dir:
                self.code.remove(code_dir)
        killed = "signal 9 " in outcome.error  # the runner's own chaos kill
        if chaos.DIR is not None and chaos.resume(sid, killed):
            self._launch(row)  # `ak session test --chaos` killed its runner
            return
        if sid in self.moving:  # migrated (akcli/engine/inflight.py): run again
            self.moving.discard(sid)
            moved = self.srv.store.sessions.get(sid)
            if moved is not None and moved.state is SessionState.RUNNING:
                self._launch(moved)
                return
        if sid in self.forced and outcome.state == SessionState.ERROR:
            outcome = RunOutcome(
                state=SessionState.STOPPED, reason=self.forced.pop(sid)
            )
        stop_reason = self.stopping.pop(sid, None)
        if outcome.state == EVICTED and stop_reason is not None:  # asked meanwhile
            outcome = RunOutcome(state=SessionState.STOPPED, reason=stop_reason)
        if outcome.state == EVICTED:  # still RUNNING: its wait is in the store
            log.debug("session %s evicted while it waits", sid)
        else:
            await self._finish_retrying(sid, outcome)
        self.srv.bell.ring()

    async def _start(self, row: SessionRow) -> tuple[RunnerHandle, DbSessionHost, str]:
        """Unpack, pick the interpreter and spawn the runner (one of few at a
        time); a session of a small cached build went to an idle pre-forked
        runner instead, if one was there (idle_start.py)."""
        self.recent_build = row.build_id
        code_dir, python = await self.prepare(row.build_id)
        try:
            host = self.host_for(row)
            journal_path = None
            if self.journal_files is not None and row.is_durable:
                self.store_journal_file(row.session_id)  # a killed run's results
                journal_path = self.journal_files.create(row.session_id)
                host.journal_path = journal_path
            spec = self.run_spec(row, code_dir, python, journal_path=journal_path)
            return await self.pool.start(spec, host), host, code_dir
        except BaseException:
            self.code.discard(code_dir)
            raise

    def host_for(self, row: SessionRow) -> DbSessionHost:
        """The store side of the session's runner."""
        return DbSessionHost(self.srv, row.session_id)

    def store_journal_file(self, sid: str) -> None:
        """Store what a run of ``sid`` killed with its server (or its runner)
        left only in its journal file, and remove the file; nothing runs it."""
        files = self.journal_files
        if files is None or not files.exists(sid):
            return
        host = DbSessionHost(self.srv, sid)
        host.journal_path = files.path(sid)
        host.store_journal_file()

    def run_spec(
        self,
        row: SessionRow,
        code_dir: str,
        python: str,
        *,
        check: bool = False,
        journal_path: str | None = None,
    ) -> RunSpec:
        """How session ``row`` runs from ``code_dir``: for real, or with ``check``
        as a replay that stops at the journal's end (ak deploy --check-inflight;
        no runner log of its own, the same limits and isolation)."""
        sid = row.session_id
        return RunSpec(
            session_id=sid,
            python=python,
            code_dir=code_dir,
            entrypoint=f"{row.entry_path}:{row.entry_name}",
            event={
                "data": row.inputs,
                "event_id": row.event_id or None,
                "event_type": row.event_type or None,
            },
            durable=row.is_durable,
            env=self.env(row),
            # Only durable sessions journal (and replay) anything.
            journal=load_journal(self.srv, sid) if row.is_durable else [],
            log_path=None if check else self._log_path(sid),
            max_memory_mb=(
                self.srv.config.get_int("pythonrt.max_memory_per_workflow_mb") or None
            ),
            code_cache=self.code.code_cache,
            isolate=self.isolate(code_dir),
            check=check,
            journal_path=journal_path,
        )

    async def prepare(self, build_id: str) -> tuple[str, str]:
        """A session's private code directory of ``build_id`` and its interpreter."""
        return await self.code.prepare(build_id)

    def remove(self, code_dir: str) -> None:
        """Delete a session's code directory."""
        self.code.remove(code_dir)

    def env(self, row: SessionRow) -> dict[str, str]:
        """The environment of a session's runner (project vars included)."""
        return session_env(self.srv, row)

    def isolate(self, code_dir: str) -> dict[str, list[str]] | None:
        """What the runner hides from user code (runner/isolate.py), or None."""
        if not self.srv.config.get_bool("pythonrt.isolate"):
            return None
        paths = self.srv.paths
        return {
            "hide": [
                str(paths.data_home),
                str(paths.config_home),
                self.pool.socket_dir,
                *([str(self.journal_files.dir)] if self.journal_files else []),
            ],
            "keep_rw": [code_dir],
            "keep_ro": [self.pool.stage_dir, str(paths.venvs_dir)],
        }

    def log_path_wanted(self) -> bool:
        """Runner output goes to a per-session log file (opened at fork time)."""
        return self.srv.config.get_bool("pythonrt.log_runner_code")

    def _log_path(self, sid: str) -> str | None:
        if not self.log_path_wanted():
            return None
        logs = self.srv.paths.logs_dir
        logs.mkdir(mode=0o700, parents=True, exist_ok=True)
        return str(logs / f"{sid}.log")

    async def resume_elsewhere(self, sid: str) -> None:
        """Kill a session's runner; it runs again from its row (now pointing to
        another build) and replays its journal there."""
        handle, task = self.handles.get(sid), self.tasks.get(sid)
        if handle is None or task is None:
            return  # not running here: it starts from its row when launched
        self.moving.add(sid)
        await handle.stop("moving to another build", force=True)
        await asyncio.wait([task], timeout=30)

    async def stop(self, sid: str, reason: str, force: bool) -> None:
        handle = self.handles.get(sid)
        if handle is None and sid not in self.tasks:
            if waits.is_evicted(self.srv, sid):
                self._finish(sid, RunOutcome(state=SessionState.STOPPED, reason=reason))
            return
        if force:
            self.forced[sid] = reason
        # An eviction under way ends it stopped; a runner still starting gets
        # the stop once it is up (_run).
        self.stopping[sid] = reason
        if handle is not None:
            await handle.stop(reason, force)

    async def _finish_retrying(self, sid: str, outcome: RunOutcome) -> None:
        """`_finish`, retried while the store refuses writes (e.g. a full disk).

        The runner is gone: if its end were not stored, the session would stay
        RUNNING with nothing left to finish it.
        """
        delay = 0.1
        while True:
            try:
                self._finish(sid, outcome)
                return
            except StoreError as e:
                log.warning(
                    "session %s: storing its end failed (%s); retrying in %.1f s",
                    sid,
                    e,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _finish(self, sid: str, outcome: RunOutcome) -> None:
        record: dict[str, Any]
        state = SessionState.ERROR
        if outcome.state == SessionState.COMPLETED:
            state = SessionState.COMPLETED
            record = {"completed": {"return_value": outcome.value}}
        elif outcome.state == SessionState.STOPPED:
            state = SessionState.STOPPED
            record = {"stopped": {"reason": outcome.reason}}
        else:
            record = {"error": {"error": {"message": outcome.error}}}
        store = self.srv.store
        with store.tx():
            ended = store.sessions.finish(
                sid,
                state,
                error=outcome.error,
                return_value=json.dumps(outcome.value),
                stop_reason=outcome.reason,
                t=now(),
            )
            if not ended:
                return
            if self.journal_files is not None:  # stored at its runner's end
                self.journal_files.remove(sid)
            store.waits.delete_for_session(sid)
            store.workers.delete_stop(sid)
            add_log(self.srv, sid, {"state": record})
            signal_parent_on_end(
                self.srv, sid, state is SessionState.COMPLETED, outcome.value
            )
            store.deployments.retire_if_drained(sid, now())
