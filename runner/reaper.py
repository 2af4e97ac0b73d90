"""A session's processes end with the session (stdlib only).

A handler's subprocess can leave the runner's process group
(``start_new_session=True``, a double fork), so killing the group misses it.
The runner and the zygote make themselves *child subreapers*
(``PR_SET_CHILD_SUBREAPER``, Linux): a descendant whose parent dies is
re-parented to them instead of to init, so the whole tree stays visible as
their children and :func:`end_children` can end it, generation by generation.
Elsewhere both functions do nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
from typing import Any

PR_SET_CHILD_SUBREAPER = 36
_ROUNDS = 64  # generations ended before giving up (a fork bomb outruns any number)


_libc: Any = None


def libc() -> Any:
    """The C library (ctypes), loaded once: the zygote loads it before it
    forks, so a runner does not load it again per session."""
    global _libc
    if _libc is None:
        import ctypes

        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def become_subreaper() -> bool:
    """Make this process a child subreaper; False where that is not possible."""
    try:
        return int(libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError, ImportError):
        return False


def children(pid: int | None = None) -> set[int]:
    """The live children of ``pid`` (default: this process)."""
    pid = pid or os.getpid()
    found: set[int] = set()
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found.update(int(c) for c in f.read().split())
        except FileNotFoundError:  # no CONFIG_PROC_CHILDREN: scan /proc
            return _scan_children(pid)
        except OSError:
            continue
    return found


def _scan_children(pid: int) -> set[int]:
    found: set[int] = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 1 and int(fields[1]) == pid:
            found.add(int(name))
    return found


def end_children(keep: frozenset[int] | set[int] = frozenset()) -> None:
    """SIGKILL and reap every child not in ``keep``, then the orphans that
    this re-parents to us, until none is left."""
    for _ in range(_ROUNDS):
        kids = children() - set(keep)
        if not kids:
            return
        for pid in kids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in kids:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, 0)
