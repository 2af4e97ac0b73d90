"""Fault injection for `ak session test --chaos` (off unless ``AK_CHAOS`` is set).

``AK_CHAOS=<dir>`` in the server's environment (the chaos command runs its own
private server with it):

* every ``activity_done`` and ``print`` the server receives is appended to
  ``<dir>/trace.jsonl`` (``{"sid", "seq", "name"}`` / ``{"sid", "key", "text"}``),
  so the command sees an activity that ran twice and a print that a replay
  produced differently, which the store (one row per seq / key) hides;
* after each activity commit ``<dir>/plan.json`` (``{"kill": "runner" |
  "server", "after_seq": N}``) is read: right after seq ``N`` commits, before
  the ack, the server SIGKILLs the session's runner (the session then resumes
  from its journal in a new runner, once per session and seq) or itself;
* ``{"kill": "server", "before_seq": N}`` (engine temporal): the server kills
  itself once the workflow has answered ``next_signal`` / ``next_event`` call
  ``N``, before that answer is consumed and journaled in the store;
* with runner journal files (akcli/engine/journal_files.py), ``"at"`` picks
  other moments: ``"received"`` (server: seq ``N`` received, only in the
  runner's journal file, not stored), ``"journaled"`` / ``"torn"`` (runner:
  it kills itself right after writing seq ``N`` to its journal file, before
  sending it, or half-way through that write).
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from typing import Any

DIR: str | None = os.environ.get("AK_CHAOS") or None
_fired: set[tuple[str, int]] = set()
_resume: set[str] = set()
_armed: set[str] = set()  # told their runner to kill itself (runner_plan)
# The session runner's lookup of a session's runner pid (see watch()).
_pid_of: Callable[[str], int | None] = lambda sid: None  # noqa: E731


def watch(pid_of: Callable[[str], int | None]) -> None:
    """Where after_commit finds the runner to kill (the session runner's handles)."""
    global _pid_of
    _pid_of = pid_of


def trace(record: dict[str, Any]) -> None:
    """Append one received message to the trace."""
    assert DIR is not None
    with open(os.path.join(DIR, "trace.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def _plan() -> dict[str, Any]:
    assert DIR is not None
    try:
        with open(os.path.join(DIR, "plan.json"), encoding="utf-8") as f:
            plan = json.load(f)
    except (OSError, ValueError):
        return {}
    return plan if isinstance(plan, dict) else {}


def after_commit(sid: str, seq: int) -> None:
    """Kill what the plan says once seq ``seq`` of ``sid`` is committed."""
    plan = _plan()
    if plan.get("after_seq") != seq or (sid, seq) in _fired:
        return
    if plan.get("at", "committed") != "committed":
        return
    _fired.add((sid, seq))
    if plan.get("kill") in ("runner", "server"):
        trace({"sid": sid, "killed": plan["kill"], "after_seq": seq})
    if plan.get("kill") == "server":
        os.kill(os.getpid(), signal.SIGKILL)
    pid = _pid_of(sid)
    if plan.get("kill") == "runner" and pid:
        _resume.add(sid)
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            _resume.discard(sid)


def before_commit(sid: str, seq: int) -> None:
    """Kill the server (plan ``before_seq``) before seq ``seq`` of ``sid`` commits."""
    plan = _plan()
    if plan.get("before_seq") != seq or plan.get("kill") != "server":
        return
    trace({"sid": sid, "killed": "server", "before_seq": seq})
    os.kill(os.getpid(), signal.SIGKILL)


def received(sid: str, seq: int) -> None:
    """Plan ``at: received``: the server kills itself on receiving ``seq``
    (the runner committed it to its journal file; the store has not)."""
    plan = _plan()
    at_seq = plan.get("at") == "received" and plan.get("after_seq") == seq
    if at_seq and plan.get("kill") == "server" and (sid, seq) not in _fired:
        _fired.add((sid, seq))
        trace({"sid": sid, "killed": "server", "after_seq": seq})
        os.kill(os.getpid(), signal.SIGKILL)


def runner_plan(sid: str) -> dict[str, Any] | None:
    """Plan ``kill: runner, at: journaled | torn``: what the ``run`` message
    tells the runner (``{seq, at}``), once per session and seq."""
    plan = _plan()
    at, seq = plan.get("at"), plan.get("after_seq")
    if plan.get("kill") != "runner" or at not in ("journaled", "torn"):
        return None
    if not isinstance(seq, int) or (sid, seq) in _fired:
        return None
    _fired.add((sid, seq))
    _armed.add(sid)
    return {"seq": seq, "at": at}


def resume(sid: str, killed: bool = False) -> bool:
    """Whether the session's runner was killed here (resume it, do not end it).
    ``killed``: its runner died of SIGKILL (the runner's own kill, see
    runner_plan)."""
    armed = sid in _armed
    _armed.discard(sid)
    if sid in _resume or (armed and killed):
        _resume.discard(sid)
        return True
    return False
