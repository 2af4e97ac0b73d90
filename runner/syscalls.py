"""The runner's side of a session: journal/seq bookkeeping, syscalls, sleep.

:class:`Session` implements the SDK's ``Runtime`` hook. It owns the socket:
writes go through its :class:`~runner.channel.Channel` (serialized by a lock),
and what the server sends (``run``, ``ack``, ``syscall_result``, ``stop``) is
read by whichever thread waits for it (runner/inbox.py). A heartbeat thread
sends ``heartbeat`` every second, the ``activity_start`` of an activity still
running after :data:`FLUSH_AFTER` (a faster one sends its call spec with its
result, see protocol.py), and reads the socket when nobody else does (a stop
request; EOF). On EOF or a write error the process exits at once: an orphan
runner must not keep executing user code (one whose threads all run user code
notices within a second).
"""

from __future__ import annotations

import _thread
import contextvars
import itertools
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from autokitteh._errors import AutoKittehError
from autokitteh._runtime import Runtime

from runner import divergence, protocol
from runner.channel import Channel, exit_orphan
from runner.inbox import Inbox
from runner.journal_file import JournalWriter, encode_record
from runner.session_errors import (
    ActivityError,
    CheckEnd,
    NonDeterminismError,
    SessionFailure,
    Stopped,
)

# The exceptions are imported from here by the rest of the runner.
__all__ = [
    "FLUSH_AFTER",
    "HEARTBEAT_EVERY",
    "ActivityError",
    "Channel",
    "CheckEnd",
    "NonDeterminismError",
    "Session",
    "SessionFailure",
    "Stopped",
    "current_activity",
]

_real_sleep = time.sleep
_monotonic = time.monotonic

HEARTBEAT_EVERY = 1.0  # seconds
# An activity running longer than this is announced with its own activity_start,
# so `ak session log` shows what is running; faster ones fold it into activity_done.
FLUSH_AFTER = 0.05

# Seq of the activity the current code runs in (None: workflow context).
current_activity: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "ak_current_activity", default=None
)


class Session(Runtime):
    """State of the one session this process runs."""

    def __init__(self, channel: Channel) -> None:
        self.chan = channel
        self.durable = False
        self.check = False  # a check run: replay only (ak deploy --check-inflight)
        self.code_dir = ""
        self.journal: dict[int, dict[str, Any]] = {}
        self._run: dict[str, Any] | None = None
        self._assign: dict[str, Any] | None = None  # a pre-forked runner's session
        self.loading = 0
        self._seq = 0
        self._print_k = 0
        self._print_i = 0
        self._activity_prints: dict[int, int] = {}
        self._print_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._inbox = Inbox(channel, self._dispatch)
        self.stop_reason: str | None = None
        # Called (holding the inbox's lock) when a stop arrives: see
        # runner/interrupt.py.
        self.on_stop: Callable[[], None] | None = None
        self.finished = threading.Event()
        # Live activities whose activity_start is not sent yet: seq -> (send it
        # at this monotonic time, its payload). Whoever pops an entry under
        # _start_lock owns it: activity_done folds it in, or it is sent alone.
        self._unsent: dict[int, tuple[float, dict[str, Any]]] = {}
        self._start_lock = threading.Lock()
        self._beat_idle = False  # the heartbeat thread sleeps until the next beat
        self._beat_wake = threading.Event()
        # Retries (runner/retrying.py): seq -> {attempt, error} for the
        # activity_done of that seq; activities abandoned after their timeout
        # (their late prints are dropped and their syscalls refused).
        self.attempt_meta: dict[int, dict[str, Any]] = {}
        self.abandoned: set[int] = set()
        # seq -> (call site, args hash, start time, queue time) of a live
        # activity, sent with its activity_done.
        self._live: dict[int, tuple[list[Any] | None, str | None, float, float]] = {}
        # The run's journal file (runner/journal_file.py): activity results are
        # committed there, not acknowledged by the server. None: wait for acks.
        self.journal_file: JournalWriter | None = None
        # Fault injection (akcli/engine/chaos.py): at this seq's journal write,
        # the runner kills itself ("journaled": after it, "torn": half-way).
        self.chaos_seq = 0
        self.chaos_at = ""

    # -- threads ---------------------------------------------------------------

    def start_threads(self) -> None:
        """Start the heartbeat thread.

        A bare ``_thread`` thread: ``threading.Thread.start`` waits for the new
        thread to signal that it runs, which costs a forked runner ~0.3 ms of
        CPU per session here. It is not listed by ``threading.enumerate()``, and
        the process always ends with ``os._exit``.
        """
        _thread.start_new_thread(self._heartbeat, ())

    def wait_assign(self) -> dict[str, Any]:
        """The ``assign`` message of a pre-forked runner (EOF: it exits)."""
        self._inbox.wait(lambda: self._assign is not None)
        assert self._assign is not None
        return self._assign

    def wait_run(self) -> dict[str, Any]:
        """The ``run`` message (the first one the server sends)."""
        self._inbox.wait(lambda: self._run is not None)
        assert self._run is not None
        return self._run

    def _heartbeat(self) -> None:
        beat_at = _monotonic()
        while not self.finished.is_set():
            now = _monotonic()
            if now >= beat_at:
                self.chan.send(protocol.HEARTBEAT, {})
                beat_at = now + HEARTBEAT_EVERY
            self._inbox.drain()
            due = self._send_due_starts(now)
            if due is not None:
                self.finished.wait(min(due, beat_at) - now)
                continue
            # No activity running: sleep until the next beat unless one starts
            # (begin_activity sets _beat_wake while _beat_idle).
            self._beat_idle = True
            if not self._unsent:
                self._beat_wake.wait(beat_at - now)
            self._beat_idle = False
            self._beat_wake.clear()

    def _send_due_starts(self, now: float) -> float | None:
        """Send the activity_start of activities running for FLUSH_AFTER; return
        when the next one is due (None: no activity is running)."""
        due: float | None = None
        for seq, (at, _) in dict(self._unsent).items():
            if at <= now:
                self.send_start(seq)
            elif due is None or at < due:
                due = at
        return due

    def _dispatch(self, msg_type: str, payload: dict[str, Any]) -> None:
        # Called holding the inbox's lock.
        if msg_type == protocol.STOP:
            self.stop_reason = str(payload.get("reason") or "stopped")
            if self.on_stop is not None:
                self.on_stop()
        elif msg_type == protocol.RUN:
            self._run = payload
        elif msg_type == protocol.ASSIGN:
            self._assign = payload
        elif msg_type == protocol.EVICT:
            # The server stored the wait the workflow is in: nothing here is
            # lost (every journal entry was acknowledged), a replay resumes it.
            self.chan.send(protocol.EVICTED, {})
            exit_orphan(0)

    # -- context -------------------------------------------------------------

    def in_activity(self) -> bool:
        return current_activity.get() is not None

    def workflow_context(self) -> bool:
        """Durable workflow code (not inside an activity)."""
        return self.durable and current_activity.get() is None

    def check_stop(self) -> None:
        """Raise :class:`Stopped` if a graceful stop was requested (workflow only)."""
        if self.stop_reason is not None and current_activity.get() is None:
            raise Stopped(self.stop_reason)

    def current_seq(self) -> int:
        """The last journal seq allocated (0: none yet)."""
        return self._seq

    def next_seq(self, name: str) -> tuple[int, dict[str, Any] | None]:
        """Allocate the next journal seq; return it with its recorded entry if any."""
        with self._print_lock:
            self._seq += 1
            seq = self._seq
            self._print_k = seq
            self._print_i = 0
        entry = self.journal.get(seq)
        if entry is not None and entry.get("name") != name:
            raise NonDeterminismError(seq, entry, name, divergence.call_site())
        if entry is None and self.check:
            raise CheckEnd(
                f"replayed {seq - 1} journal entries; seq {seq} ({name}) is live"
            )
        return seq, entry

    def print_key(self) -> str | None:
        """The deterministic key of the next print (see protocol.py); None for
        a print of an activity abandoned after its timeout (not stored)."""
        act = current_activity.get()
        if act is not None and act in self.abandoned:
            return None
        with self._print_lock:
            if act is not None:
                j = self._activity_prints.get(act, 0)
                self._activity_prints[act] = j + 1
                return f"a:{act}:{j}"
            i = self._print_i
            self._print_i += 1
            return f"w:{self._print_k}:{i}"

    # -- activities ----------------------------------------------------------

    def begin_activity(
        self,
        seq: int,
        name: str,
        args: list[str],
        kwargs: dict[str, str],
        attempt: int | None = None,
        site: divergence.Site | None = None,
        hashed: str | None = None,
        called: float | None = None,
    ) -> None:
        """A live activity starts: its call spec goes out with its result, or
        alone if it is still running after FLUSH_AFTER (the heartbeat thread).
        ``attempt``: its attempt number, for an activity with a retry policy.
        The payload's ``t``: when it started (unix time), the time of its call
        spec records. ``site``/``hashed``: where the workflow called it and
        its args hash, journaled with its result (runner/divergence.py);
        ``called``: when the workflow called it (its queue time ends now)."""
        t = time.time()
        payload: dict[str, Any] = {
            "seq": seq,
            "name": name,
            "args": args,
            "kwargs": kwargs,
            "t": t,
        }
        if attempt is not None:
            payload["attempt"] = attempt
        queued = 0.0 if called is None else max(t - called, 0.0)
        self._live[seq] = (None if site is None else site.to_wire(), hashed, t, queued)
        self._unsent[seq] = (_monotonic() + FLUSH_AFTER, payload)
        if self._beat_idle:
            self._beat_wake.set()

    def send_start(self, seq: int) -> None:
        """Send the activity_start of ``seq`` unless it was sent or folded into
        its activity_done (an activity that never finishes still shows its call)."""
        with self._start_lock:
            item = self._unsent.pop(seq, None)
            if item is not None:  # before its activity_done, in the file too
                self._send_journaled(protocol.encode(protocol.ACTIVITY_START, item[1]))

    def send_print(self, key: str | None, text: str) -> None:
        """Send a print, committed to the journal file first: an activity
        whose result is committed is not run (and does not print) again, and
        the session's prints keep their order across a crash."""
        self._send_journaled(
            protocol.encode(protocol.PRINT, {"key": key, "text": text})
        )

    def _send_journaled(self, line: bytes) -> None:
        writer = self.journal_file
        if writer is not None and not writer.append(line):
            self.journal_file = None  # not written whole: acks from now on
        self.chan.send_line(line)

    def activity_done(self, seq: int, name: str, result: str, is_error: bool) -> None:
        """Send an activity's result and wait until the server committed it."""
        with self._start_lock:
            item = self._unsent.pop(seq, None)
        # If activity_start was not sent, the call spec comes along.
        call = None if item is None else (item[1]["args"], item[1]["kwargs"])
        started = None if item is None else item[1]["t"]
        meta = self.attempt_meta.pop(seq, None) if self.attempt_meta else None
        live = self._live.pop(seq, None)
        journaled: protocol.Journaled | None = None
        if live is not None:  # execution: from its start to its pickled result
            site, hashed, t, queued = live
            journaled = (site, hashed, queued, max(time.time() - t, 0.0))
        line = protocol.encode_activity_done(
            seq, name, result, is_error, call, meta, started, journaled
        )
        if seq == self.chaos_seq:
            self._chaos_kill(line)
        writer = self.journal_file
        if writer is not None:
            if writer.append(line):  # committed: the workflow goes on now
                self.chan.send_line(line)
                self._inbox.poll()  # a stop sent meanwhile is seen at once
                return
            self.journal_file = None  # not written whole: acks from now on
        self.chan.send_line(line[:-3] + b',"ack":true}}\n')
        inbox = self._inbox
        inbox.wait(lambda: inbox.take_ack(seq))

    def _chaos_kill(self, line: bytes) -> None:
        """SIGKILL this process at the journal write of ``line``."""
        writer = self.journal_file
        if writer is not None and self.chaos_at in ("journaled", "torn"):
            record = encode_record(line)
            if self.chaos_at == "torn":
                record = record[: len(record) // 2]
            os.write(writer.fd, record)
            os.kill(os.getpid(), signal.SIGKILL)

    # -- syscalls ------------------------------------------------------------

    def syscall(self, op: str, args: dict[str, Any]) -> Any:
        seq: int | None = None
        act = current_activity.get()
        if act is not None and act in self.abandoned:
            raise AutoKittehError(f"{op}: the activity was abandoned after its timeout")
        if act is None:
            self.check_stop()
            if self.durable and op in protocol.JOURNALED_OPS:
                seq, entry = self.next_seq(op)
                if entry is not None:
                    if entry.get("is_error"):
                        raise AutoKittehError(f"{op}: {entry.get('value')}")
                    return entry.get("value")
        if self.check:  # nothing leaves a check run
            raise CheckEnd(f"replayed {self._seq} journal entries; {op} is live")
        call_id = next(self._ids)
        payload = {"id": call_id, "seq": seq, "op": op, "args": args}
        workflow = current_activity.get() is None
        self.chan.send(protocol.SYSCALL, payload)
        inbox = self._inbox
        inbox.wait(
            lambda: (
                inbox.has_result(call_id) or (workflow and self.stop_reason is not None)
            )
        )
        result = inbox.pop_result(call_id)
        if result is None:  # a stop request ended the wait (workflow only)
            raise Stopped(self.stop_reason or "stopped")
        if "error" in result and result["error"] is not None:
            raise AutoKittehError(f"{op}: {result['error']}")
        return result.get("value")

    def sleep(self, seconds: float) -> None:
        if current_activity.get() is not None:
            _real_sleep(seconds)
            return
        if not self.durable:
            self.wait_until(time.time() + seconds)
            return
        reply = self.syscall("sleep", {"seconds": seconds})
        wake_at = float(reply["wake_at"]) if isinstance(reply, dict) else time.time()
        self.wait_until(wake_at)

    def wait_until(self, wake_at: float) -> None:
        """Sleep until unix time ``wake_at``, raising Stopped on a stop request."""
        workflow = current_activity.get() is None
        if self.check:  # a replayed sleep: no waiting in a check run
            return
        while True:
            self.check_stop()
            left = wake_at - time.time()
            if left <= 0:
                return
            # Re-read the wall clock at least every second (it may be adjusted).
            self._inbox.wait(
                lambda: workflow and self.stop_reason is not None,
                _monotonic() + min(left, 1.0),
            )

    def log(self, level: str, message: str) -> None:
        """Send a runner log line to the server."""
        self.chan.send(protocol.LOG, {"level": level, "message": message})
