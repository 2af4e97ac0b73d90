"""The runner's side of a session: channel, journal/seq bookkeeping, syscalls, sleep.

:class:`Session` implements the SDK's ``Runtime`` hook. It owns the socket: a
reader thread dispatches server messages (``ack``, ``syscall_result``, ``stop``),
a heartbeat thread sends ``heartbeat`` every second and the ``activity_start``
of an activity still running after :data:`FLUSH_AFTER` (a faster one sends its
call spec with its result, see protocol.py); writes are serialized by a lock. On
EOF or a write error the process exits at once: an orphan runner must not keep
executing user code.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import queue
import socket
import threading
import time
from typing import Any

from autokitteh._errors import AutoKittehError
from autokitteh._runtime import Runtime

from runner import protocol

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


class SessionFailure(BaseException):
    """Ends the session in ERROR; user ``except Exception`` cannot swallow it."""


class NonDeterminismError(SessionFailure):
    """The workflow made a different call than the one recorded in the journal."""


class ActivityError(SessionFailure):
    """An activity's result or exception cannot be journaled (pickled)."""


class Stopped(BaseException):
    """Raised in the workflow when the server asked for a graceful stop."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _exit_orphan(code: int) -> None:
    # The server is gone: stop everything now, without cleanup handlers.
    os._exit(code)


class Channel:
    """The runner's end of the session socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._wlock = threading.Lock()

    def send(self, msg_type: str, payload: dict[str, Any]) -> None:
        """Send one message; exits the process if the server is gone."""
        data = protocol.encode(msg_type, payload)
        with self._wlock:
            try:
                self.sock.sendall(data)
            except OSError:
                _exit_orphan(3)


class Session(Runtime):
    """State of the one session this process runs."""

    def __init__(self, channel: Channel) -> None:
        self.chan = channel
        self.durable = False
        self.code_dir = ""
        self.journal: dict[int, dict[str, Any]] = {}
        self.runs: queue.Queue[dict[str, Any]] = queue.Queue()
        self.loading = 0
        self._seq = 0
        self._print_k = 0
        self._print_i = 0
        self._activity_prints: dict[int, int] = {}
        self._print_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._cv = threading.Condition()
        self._acks: set[int] = set()
        self._results: dict[int, dict[str, Any]] = {}
        self.stop_reason: str | None = None
        self._stop_event = threading.Event()
        self.finished = threading.Event()
        # Live activities whose activity_start is not sent yet: seq -> (send it
        # at this monotonic time, its payload). Whoever pops an entry under
        # _start_lock owns it: activity_done folds it in, or it is sent alone.
        self._unsent: dict[int, tuple[float, dict[str, Any]]] = {}
        self._start_lock = threading.Lock()
        self._beat_idle = False  # the heartbeat thread sleeps until the next beat
        self._beat_wake = threading.Event()

    # -- threads ---------------------------------------------------------------

    def start_threads(self) -> None:
        """Start the reader and heartbeat threads (daemons)."""
        threading.Thread(target=self._reader, name="ak-reader", daemon=True).start()
        threading.Thread(
            target=self._heartbeat, name="ak-heartbeat", daemon=True
        ).start()

    def _heartbeat(self) -> None:
        beat_at = _monotonic()
        while not self.finished.is_set():
            now = _monotonic()
            if now >= beat_at:
                self.chan.send(protocol.HEARTBEAT, {})
                beat_at = now + HEARTBEAT_EVERY
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

    def _reader(self) -> None:
        try:
            rfile = self.chan.sock.makefile("rb")
            for line in rfile:
                msg_type, payload = protocol.decode(line)
                self._dispatch(msg_type, payload)
        except (OSError, ValueError):
            pass
        _exit_orphan(3)

    def _dispatch(self, msg_type: str, payload: dict[str, Any]) -> None:
        if msg_type == protocol.RUN:
            self.runs.put(payload)
        elif msg_type == protocol.ACK:
            with self._cv:
                self._acks.add(int(payload["seq"]))
                self._cv.notify_all()
        elif msg_type == protocol.SYSCALL_RESULT:
            with self._cv:
                self._results[int(payload["id"])] = payload
                self._cv.notify_all()
        elif msg_type == protocol.STOP:
            with self._cv:
                self.stop_reason = str(payload.get("reason") or "stopped")
                self._stop_event.set()
                self._cv.notify_all()

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

    def next_seq(self, name: str) -> tuple[int, dict[str, Any] | None]:
        """Allocate the next journal seq; return it with its recorded entry if any."""
        with self._print_lock:
            self._seq += 1
            seq = self._seq
            self._print_k = seq
            self._print_i = 0
        entry = self.journal.get(seq)
        if entry is not None and entry.get("name") != name:
            raise NonDeterminismError(
                f"non-determinism: journal entry {seq} was recorded for "
                f"{entry.get('name')!r} but the workflow now calls {name!r}"
            )
        return seq, entry

    def print_key(self) -> str:
        """The deterministic key of the next print (see protocol.py)."""
        act = current_activity.get()
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
        self, seq: int, name: str, args: list[str], kwargs: dict[str, str]
    ) -> None:
        """A live activity starts: its call spec goes out with its result, or
        alone if it is still running after FLUSH_AFTER (the heartbeat thread)."""
        payload = {"seq": seq, "name": name, "args": args, "kwargs": kwargs}
        self._unsent[seq] = (_monotonic() + FLUSH_AFTER, payload)
        if self._beat_idle:
            self._beat_wake.set()

    def send_start(self, seq: int) -> None:
        """Send the activity_start of ``seq`` unless it was sent or folded into
        its activity_done (an activity that never finishes still shows its call)."""
        with self._start_lock:
            item = self._unsent.pop(seq, None)
            if item is not None:
                self.chan.send(protocol.ACTIVITY_START, item[1])

    def activity_done(self, seq: int, name: str, result: str, is_error: bool) -> None:
        """Send an activity's result and wait until the server committed it."""
        payload: dict[str, Any] = {
            "seq": seq,
            "name": name,
            "result": result,
            "is_error": is_error,
        }
        with self._start_lock:
            item = self._unsent.pop(seq, None)
        if item is not None:  # activity_start not sent: the call spec comes along
            payload["args"] = item[1]["args"]
            payload["kwargs"] = item[1]["kwargs"]
        self.chan.send(protocol.ACTIVITY_DONE, payload)
        with self._cv:
            while seq not in self._acks:
                self._cv.wait()
            self._acks.discard(seq)

    # -- syscalls ------------------------------------------------------------

    def syscall(self, op: str, args: dict[str, Any]) -> Any:
        seq: int | None = None
        if current_activity.get() is None:
            self.check_stop()
            if self.durable and op in protocol.JOURNALED_OPS:
                seq, entry = self.next_seq(op)
                if entry is not None:
                    if entry.get("is_error"):
                        raise AutoKittehError(f"{op}: {entry.get('value')}")
                    return entry.get("value")
        call_id = next(self._ids)
        payload = {"id": call_id, "seq": seq, "op": op, "args": args}
        self.chan.send(protocol.SYSCALL, payload)
        with self._cv:
            while call_id not in self._results:
                self._cv.wait(0.2)
                if call_id not in self._results:
                    self.check_stop()
            result = self._results.pop(call_id)
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
        while True:
            self.check_stop()
            left = wake_at - time.time()
            if left <= 0:
                return
            self._stop_event.wait(min(left, 0.25))

    def log(self, level: str, message: str) -> None:
        """Send a runner log line to the server."""
        self.chan.send(protocol.LOG, {"level": level, "message": message})
