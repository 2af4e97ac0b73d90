"""The runner <-> server protocol: the one place that documents every message.

Transport: a Unix stream socket per session; the **server listens**, the runner
connects. Each message is one line of JSON (UTF-8, ``\\n``-terminated)::

    {"type": "<type>", "payload": {...}}

Server -> runner
----------------
``run``            ``{session_id, entrypoint, event, durable, journal[, check]}``
                   Sent once after ``hello``. ``entrypoint`` is ``"file.py:func"``
                   (or ``"file.py func"``); ``event`` is ``{data, event_id,
                   event_type}``; ``journal`` is the list of already-recorded
                   entries for replay, each ``{seq, name, kind, value, is_error[,
                   site, args_hash]}`` (``site``/``args_hash`` as in
                   ``activity_done``, for the non-determinism table):
                   * ``kind: "pickle"`` (activities): ``value`` is
                     base64(pickle((return_value, exception))); ``name`` is the
                     activity name;
                   * ``kind: "json"`` (syscalls): ``value`` is the syscall's JSON
                     result, or the error text when ``is_error``; ``name`` is the
                     syscall op (``"sleep"``, ``"store"``, ...).
                   ``chaos`` (fault injection, akcli/engine/chaos.py, only with
                   ``AK_CHAOS``): ``{seq, at}``, the runner SIGKILLs itself at
                   its journal file write of ``seq`` (``at: "journaled"``: after
                   it, before the socket send; ``"torn"``: half-way through).
                   ``check: true`` (``ak deploy --check-inflight``): replay
                   only; the first call not in the journal (an activity or any
                   syscall) ends the run ``stopped`` with reason ``replayed N
                   journal entries; ...``, a mismatch ends it ``error`` with
                   reason ``diverges at seq N: ...``; sleeps do not wait.
``ack``            ``{seq}``: the ``activity_done`` of ``seq`` is committed
                   (ack path only, see ``activity_done``).
``syscall_result`` ``{id, value}`` or ``{id, error}`` (``error``: text shown to
                   the user as ``AutoKittehError("<op>: <error>")``).
``stop``           ``{reason, force}``: graceful stop request. The workflow stops
                   at its next activity boundary, sleep or wait and the runner
                   answers ``done {state: "stopped"}``. (A force stop is done by
                   the server killing the runner's process group; ``force`` is
                   informational.)
``evict``          ``{}``: the workflow waits in a journaled ``sleep``,
                   ``next_signal`` or ``next_event`` and the server stored that
                   wait (``session_waits``): the runner answers ``evicted`` and
                   exits at once. A fresh runner replays the session when the
                   wait ends.

Runner -> server
----------------
``hello``          ``{pid}``: first message after connecting.
``heartbeat``      ``{}``: every second until the process ends.
``print``          ``{key, text}``: one user ``print`` call (one trailing newline
                   stripped, at most 64 KiB). Fire and forget. See *print keys*.
                   With a journal file (``spawn.journal``) the runner appends
                   the line to it before sending it, as ``activity_start``.
``log``            ``{level, message}``: runner diagnostics (not user prints).
``activity_start`` ``{seq, name, args: [repr], kwargs: {k: repr}, t[, attempt]}``: a live
                   activity's call spec (display only; not waited on), sent by
                   the heartbeat thread once the activity has run for 50 ms
                   (``FLUSH_AFTER`` in syscalls.py), or when it ends without an
                   ``activity_done`` (its result cannot be pickled, SystemExit),
                   so ``ak session log`` shows what is running. A faster activity
                   sends no ``activity_start``: its ``activity_done`` carries
                   ``args``/``kwargs``/``t`` (one message and one commit per
                   activity). ``t``: when the activity started (unix time), the
                   time of its call spec records in the session log.
                   A runner that dies within 50 ms of starting an activity loses
                   that call spec (the journal is not affected).
``activity_done``  ``{seq, name, result, is_error[, args, kwargs, t][, attempt,
                   error][, site, args_hash, q, x]}``: ``site`` is
                   ``[file, line, qualname, source line]`` of the workflow's call
                   (file relative to the code directory), ``args_hash`` a short
                   hash of the arguments (runner/divergence.py), ``q``/``x`` the
                   seconds from the workflow's call to the activity's start and
                   from its start to its pickled result. ``result``
                   is base64(pickle((value, exception))); ``args``/``kwargs`` as
                   in ``activity_start``, present iff no ``activity_start`` was
                   sent for ``seq``. The result is durable before the workflow
                   continues, one of two ways:
                   * journal file (``spawn.journal`` given, runner/
                     journal_file.py): the runner appends this exact line to
                     the file (one write; a commit) and sends it without
                     waiting; the server stores the lines it receives in
                     batches, before handling any later message of the runner;
                   * ack path (no journal file, or its write failed: the line
                     then carries ``"ack": true``): the runner **waits for
                     ``ack {seq}``**, sent once the server committed it.
                   The server stores it as a ``kind: "pickle"`` journal
                   entry, with the call spec's log records in the same commit.
                   ``attempt`` (1, 2, ...) and ``error`` (the attempt's
                   ``repr(exception)``, when ``is_error``) are sent for an
                   activity with a retry policy or timeout (runner/retrying.py):
                   each attempt is its own journal entry (its own ``seq``), and
                   the wait between attempts a journaled ``sleep``. They become
                   the ``attempt``/``error`` fields of the ``call_attempt_start``
                   / ``call_attempt_complete`` log records.
``syscall``        ``{id, seq, op, args}``: an SDK request; the runner waits for
                   ``syscall_result {id}``. ``seq`` is an int when the result must
                   be journaled (durable session, workflow context, journaled op),
                   else null. The server journals ``{seq, name: op, kind: "json",
                   value: result | error text, is_error}`` itself.
``done``           ``{state, value, value_pickle, error, reason}``: the end.
                   ``state`` is ``completed`` | ``error`` | ``stopped``; ``value`` a
                   JSON-safe display of the return value; ``value_pickle``
                   base64(pickle(value)) or null; ``error`` the error text (banners,
                   ``error: <repr(exc)>``, blank line, traceback); ``reason`` the
                   stop reason. The runner exits right after sending it.
``evicted``        ``{}``: the answer to ``evict``; the runner exits right after.

Syscall ops and args
--------------------
``sleep {seconds}`` -> ``{wake_at}`` (unix time; journaled, so a replay sleeps
until the recorded time). ``subscribe {source, filter}`` -> subscription id.
``next_event {subscription_ids, timeout}`` -> ``{data, event_id, event_type}`` or
null on timeout. ``unsubscribe {subscription_id}``. ``start {loc, data, memo,
project}`` -> session id. ``signal {session_id, name, payload}``.
``next_signal {names, timeout}`` -> ``{name, payload}`` or null.
``store {op, key, operands}`` with op in get, set, del, add, check_and_set (operands
``[new, expected]``), list, publish, unpublish. ``outcome {value, event_id}``.
``is_deployment_active {}`` -> bool. ``timeout`` is seconds or null (forever).

Journaling and replay
---------------------
Every journaled operation made in workflow context of a durable session gets the
next ``seq`` (1, 2, ...): activities and the syscalls in :data:`JOURNALED_OPS`.
Syscalls made inside an activity and all syscalls of non-durable sessions carry
``seq: null``. If ``seq`` is in the shipped journal the recorded name must match
(else the session fails with a non-determinism error naming both) and the recorded
result is returned or raised locally: nothing is sent.

Print keys
----------
Prints must not be stored twice across replays, so each has a deterministic key
and the server stores the first print of each (session, key) and ignores repeats:
* workflow context: ``w:<k>:<i>``: ``k`` is the seq of the last journaled operation
  started so far (0 before the first), ``i`` counts workflow prints since then;
* inside activity ``k``: ``a:<k>:<j>``, ``j`` counting that activity's prints.
A replay re-produces the same keys for the same prints.

Zygote control socket
---------------------
One zygote per interpreter (``python -m runner.zygote --control <path>``); the
server listens on ``<path>``. Zygote -> server: ``hello {pid, python_version}``,
``spawned {id, session_id, pid}`` (or ``{id, session_id, error}``),
``exited {pid, status, signal}`` (``status``: exit code or null; ``signal``:
signal number or null). Server -> zygote: ``spawn {id, session_id, socket_path,
code_dir, env, log_path, limits, code_cache, isolate, journal}``. When the control
socket closes the zygote exits.

``limits`` (optional, may be null or lack keys): resource limits the forked
session process applies to itself before loading user code.
``max_memory_mb``: int, the address-space limit (``RLIMIT_AS``) in MiB, from the
server config ``pythonrt.max_memory_per_workflow_mb``; null or 0 = no limit. A
handler that allocates without bound gets a ``MemoryError`` (the session ends in
ERROR with it); a runner killed for memory ends its session in ERROR with the
exit code or signal. The cold path takes ``--max-memory-mb N`` instead.

``code_cache`` (optional, may be null): a private directory where the runner keeps
compiled user modules (``runner/loader.py``); the cold path takes
``--code-cache DIR``.

``journal`` (optional, may be null): the path of the run's journal file, created
empty by the server (runner/journal_file.py); the runner opens it before
isolation hides it. The cold path takes ``--journal PATH``.

Pre-forked runners
------------------
``spawn {id, idle: true, socket_path, code_dir, isolate, journal}`` forks a
runner before any session needs it: it enters ``code_dir`` (empty for now),
connects to the pool's socket ``socket_path``, opens ``journal`` (an empty idle
journal file the server made for it, or null), isolates itself and says
``hello {pid, idle: true}``, then waits. A session is handed to it with
``assign {session_id, env, limits, code_cache, journal}`` once the server has
written the build into ``code_dir``; ``journal`` true: the server renamed the
runner's idle file to the session's (its open descriptor stays valid) and the
runner commits results there; false: it closes the file and waits for acks.
The runner applies the environment and limits and says ``hello {pid}``; only
then does the server send ``run`` (a runner that dies before that hello ran
nothing of the session, which then starts on a freshly forked runner). The user
module is imported after ``run``, so module-level code runs once per session,
in its own process. An idle runner exits when its socket closes.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii as _json_str
from typing import Any

# Server -> runner.
RUN = "run"
ACK = "ack"
SYSCALL_RESULT = "syscall_result"
STOP = "stop"
EVICT = "evict"
ASSIGN = "assign"  # to a pre-forked idle runner

# Runner -> server.
HELLO = "hello"
HEARTBEAT = "heartbeat"
PRINT = "print"
LOG = "log"
ACTIVITY_START = "activity_start"
ACTIVITY_DONE = "activity_done"
SYSCALL = "syscall"
DONE = "done"
EVICTED = "evicted"

# Zygote control.
SPAWN = "spawn"
SPAWNED = "spawned"
EXITED = "exited"

# Done states.
COMPLETED = "completed"
ERROR = "error"
STOPPED = "stopped"

# Syscalls whose results are journaled (when made in durable workflow context).
JOURNALED_OPS = frozenset(
    {
        "sleep",
        "subscribe",
        "next_event",
        "unsubscribe",
        "start",
        "signal",
        "next_signal",
        "store",
        "outcome",
    }
)

# Largest print text sent; longer prints are truncated with a marker.
MAX_PRINT = 64 * 1024


def encode(msg_type: str, payload: dict[str, Any]) -> bytes:
    """One wire line for a message."""
    line = json.dumps({"type": msg_type, "payload": payload}, separators=(",", ":"))
    return line.encode() + b"\n"


_ACK_HEAD = b'{"type":"ack","payload":{"seq":'


def encode_ack(seq: int) -> bytes:
    """``encode(ACK, {"seq": seq})``, without json (once per activity)."""
    return _ACK_HEAD + b"%d}}\n" % seq


def decode_ack(line: bytes) -> int | None:
    """The seq of a line written by :func:`encode_ack` (no newline), else None."""
    if line.startswith(_ACK_HEAD) and line.endswith(b"}}"):
        digits = line[len(_ACK_HEAD) : -2]
        if digits.isdigit():
            return int(digits)
    return None


# (call site [file, line, qualname, source] or None, args hash or None,
# queue seconds, execution seconds) of an activity_done.
Journaled = tuple[list[Any] | None, str | None, float, float]


def encode_activity_done(
    seq: int,
    name: str,
    result: str,
    is_error: bool,
    call: tuple[list[str], dict[str, str]] | None,
    meta: dict[str, Any] | None = None,
    started: float | None = None,
    journaled: Journaled | None = None,
) -> bytes:
    """``encode(ACTIVITY_DONE, ...)`` for the hot path: strings quoted as json
    does (``result`` is base64, nothing to escape), without json.dumps' object
    walk (half the runner's own time per activity on a slow VM)."""
    extra = ""
    if call is not None:
        args = ",".join([_json_str(a) for a in call[0]])
        kwargs = ",".join(
            [f"{_json_str(k)}:{_json_str(v)}" for k, v in call[1].items()]
        )
        extra = f',"args":[{args}],"kwargs":{{{kwargs}}}'
        if started is not None:
            extra += f',"t":{started!r}'
    if journaled is not None:  # call site, args hash, queue/execution times
        site, hashed, queued, executed = journaled
        if site is not None:
            extra += f',"site":{json.dumps(site)}'
        if hashed is not None:
            extra += f',"args_hash":{_json_str(hashed)}'
        extra += f',"q":{queued!r},"x":{executed!r}'
    if meta:  # a retried activity's attempt number and error (json-safe)
        for key, value in meta.items():
            extra += f",{_json_str(key)}:{json.dumps(value)}"
    line = (
        f'{{"type":"activity_done","payload":{{"seq":{seq:d},"name":{_json_str(name)},'
        f'"result":"{result}","is_error":{"true" if is_error else "false"}{extra}}}}}\n'
    )
    return line.encode()


def decode(line: bytes) -> tuple[str, dict[str, Any]]:
    """Parse one wire line into ``(type, payload)``."""
    msg = json.loads(line.decode())  # UTF-8; json.loads(bytes) would sniff it
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        raise ValueError(f"bad message: {line[:200]!r}")
    payload = msg.get("payload") or {}
    if not isinstance(payload, dict):
        raise ValueError(f"bad payload: {line[:200]!r}")
    return msg["type"], payload
