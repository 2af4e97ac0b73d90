"""Types shared by the runner pool and the engine (see runner/protocol.py)."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

# The server's environment variables a session (and its zygote) inherits.
BASE_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "SYSTEMROOT")


@dataclass(frozen=True)
class JournalEntry:
    """One recorded operation of a durable session.

    ``kind`` is ``"pickle"`` for activities (``value``: base64 of the pickled
    ``(value, exception)`` tuple; only the runner unpickles it) or ``"json"`` for
    syscalls (``value``: the JSON result, or the error text when ``is_error``).
    ``name`` is the activity name or the syscall op.
    """

    seq: int
    name: str
    kind: str
    value: Any
    is_error: bool = False
    # An activity's call site ([file, line, qualname, source]) and args hash
    # (runner/divergence.py), and its queue/execution seconds (runner-measured).
    site: list[Any] | None = None
    args_hash: str = ""
    queue_s: float | None = None
    exec_s: float | None = None

    def to_wire(self) -> dict[str, Any]:
        """The form shipped in the ``run`` message."""
        wire = {
            "seq": self.seq,
            "name": self.name,
            "kind": self.kind,
            "value": self.value,
            "is_error": self.is_error,
        }
        if self.site is not None:
            wire["site"] = self.site
        if self.args_hash:
            wire["args_hash"] = self.args_hash
        return wire


class ActivityCall(NamedTuple):
    """How an activity was called, for display: ``repr`` of each argument, and
    when it started (unix time; None: unknown, the record's write time is used)."""

    args: list[str]
    kwargs: dict[str, str]
    t: float | None = None


class Attempt(NamedTuple):
    """A retried activity's attempt: its number (1, 2, ...) and, for a failed
    one, the ``repr`` of its error (runner/retrying.py)."""

    number: int
    error: str | None = None


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to run one session in a runner process."""

    session_id: str
    python: str  # interpreter to run the user code with
    code_dir: str  # unpacked project files
    entrypoint: str  # "file.py:func"
    event: dict[str, Any]  # {"data": ..., "event_id": ..., "event_type": ...}
    durable: bool
    env: dict[str, str]  # the complete environment of the runner
    journal: list[JournalEntry] = field(default_factory=list)
    log_path: str | None = None  # runner stdout/stderr (None: /dev/null)
    max_memory_mb: int | None = None  # RLIMIT_AS of the session process (None: none)
    code_cache: str | None = None  # compiled user modules (runner/loader.py)
    # What user code must not see (runner/isolate.py): hide/keep_rw/keep_ro dirs.
    isolate: dict[str, list[str]] | None = None
    check: bool = False  # replay only, stop at the journal's end (check-inflight)
    # The run's journal file (akcli/engine/journal_files.py): the runner
    # commits each result there and does not wait for acks. None: acks.
    journal_path: str | None = None


@dataclass
class RunOutcome:
    """How a runner ended: ``state`` is completed, error or stopped, or
    evicted (the session waits with no runner, akcli/engine/waits.py)."""

    state: str
    value: Any = None
    value_pickle: str | None = None
    error: str = ""
    reason: str = ""


class Superseded(Exception):
    """This runner's run of the session was superseded (a newer run took the
    session's run epoch): it must not write the journal or the end."""


class SyscallError(Exception):
    """Raised by ``SessionHost.on_syscall`` for a user-visible syscall error.

    The runner raises ``AutoKittehError("<op>: <message>")`` in user code.
    """


class Evicted(Exception):  # noqa: N818 - not an error: the run ends waiting
    """Raised by ``SessionHost.on_syscall``: the session's wait is stored
    (akcli/engine/waits.py), its runner must exit (protocol ``evict``)."""


class SessionHost(Protocol):
    """The engine's callbacks for one running session.

    All but ``on_syscall`` are plain calls made from the runner socket's read
    callback (the activity hot path has no task switch): they must not block
    for long. ``on_syscall`` runs in its own task.
    """

    def on_print(self, key: str, text: str) -> None:
        """Store a print, once per (session, key): a replayed one is kept as is."""

    def on_activity_start(
        self,
        seq: int,
        name: str,
        args: list[str],
        kwargs: dict[str, str],
        t: float | None = None,
        attempt: Attempt | None = None,
    ) -> None:
        """An activity is running live (display only): one that ran longer than
        the runner's flush delay, or one that will never finish. ``t``: when it
        started (unix time). ``attempt`` is passed (as a keyword) only for an
        activity with a retry policy."""

    def on_activity_done(
        self,
        entry: JournalEntry,
        call: ActivityCall | None = None,
        attempt: Attempt | None = None,
    ) -> Awaitable[None] | None:
        """Journal an activity result; it must be committed when this returns.

        ``call`` is the activity's call spec when ``on_activity_start`` was not
        called for it (a fast activity: the runner sends both in one message).
        An awaitable returned delays the runner's ack until it is done (the
        Temporal engine records the call in the workflow first).
        """

    def on_activity_journaled(
        self,
        entry: JournalEntry,
        call: ActivityCall | None = None,
        attempt: Attempt | None = None,
    ) -> None:
        """An activity result the runner committed to its journal file
        (``RunSpec.journal_path``): store it at the next ``flush``, before
        anything the runner sent after it."""

    def flush(self) -> None:
        """Store the results received by ``on_activity_journaled``."""

    async def on_syscall(self, seq: int | None, op: str, args: dict[str, Any]) -> Any:
        """Run a syscall; journal its result under ``seq`` when not None."""

    def on_log(self, level: str, message: str) -> None:
        """A runner log line."""
