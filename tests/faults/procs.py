"""/proc helpers: the process tree of a server, zombies."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    state: str
    pgrp: int
    cmdline: str


def proc(pid: int) -> Proc | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return Proc(
        pid, int(fields[1]), fields[0], int(fields[2]), cmd.decode(errors="replace")
    )


def all_procs() -> list[Proc]:
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit() and (p := proc(int(name))) is not None:
            out.append(p)
    return out


def children(pid: int) -> list[Proc]:
    return [p for p in all_procs() if p.ppid == pid]


def zygotes(server_pid: int) -> list[Proc]:
    return [p for p in children(server_pid) if "runner.zygote" in p.cmdline]


def runners(server_pid: int) -> list[Proc]:
    """The session runners: children of the server's zygotes, idle
    pre-forked ones (no session yet) left out."""
    return [
        c
        for z in zygotes(server_pid)
        for c in children(z.pid)
        if comm(c.pid) != IDLE_NAME
    ]


IDLE_NAME = (
    "ak-idle"  # runner/process_env.py: a pre-forked runner waiting for a session
)


def idle_runners(server_pid: int) -> list[Proc]:
    """The pre-forked runners ready for a session (they name themselves
    ``ak-idle`` right before they say so to the server)."""
    return [
        c
        for z in zygotes(server_pid)
        for c in children(z.pid)
        if comm(c.pid) == IDLE_NAME and c.state != "Z"
    ]


def ready_idle(server_pid: int, want: int, timeout: float = 30) -> set[int]:
    """The pids of `want` idle runners ready for a session."""
    deadline = time.monotonic() + timeout
    while True:
        ready = {p.pid for p in idle_runners(server_pid)}
        if len(ready) >= want:
            return ready
        assert time.monotonic() < deadline, "idle runners not ready"
        time.sleep(0.05)


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def zombies_under(pid: int) -> list[Proc]:
    """Zombie processes among the descendants of `pid`."""
    procs = all_procs()
    kids: dict[int, list[Proc]] = {}
    for p in procs:
        kids.setdefault(p.ppid, []).append(p)
    out, todo = [], [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            if c.state == "Z":
                out.append(c)
            todo.append(c.pid)
    return out
