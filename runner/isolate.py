"""Hide the server's files from user code (Linux; no root needed; stdlib only).

Before it runs user code, a runner enters a new user and mount namespace
(``unshare``) and mounts an empty read-only tmpfs over the server's data
home, config home and runtime dir (``spawn.isolate.hide``): the SQLite file,
``secret.key``, the API token, other sessions' sockets and code are gone from
its view. What the session needs inside them is bind-mounted back: its own
code dir read-write, the runner stage and the managed venvs read-only
(``keep_rw``, ``keep_ro``). A second user namespace then locks those mounts
(user code cannot unmount them). Last, a Landlock domain (if the kernel has
Landlock) stops user code from reaching other processes of the same user
through ``ptrace`` or ``/proc/<pid>/{root,mem,environ,fd}``.

:func:`apply` never raises: where the kernel refuses (no unprivileged user
namespaces, not Linux), the runner runs unisolated and says why.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from typing import Any

from runner import reaper

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
_KEEP_FLAGS = 1 | 2 | 4 | 8 | 1024 | 2048 | 4096  # ro nosuid nodev noexec *atime

SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_RESTRICT_SELF = 444, 446
LANDLOCK_ACCESS_FS_MAKE_BLOCK = 1 << 11
PR_SET_NO_NEW_PRIVS = 38


def _libc() -> Any:
    return reaper.libc()


def _check(name: str, rc: int) -> int:
    if rc < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}: {os.strerror(err)}")
    return rc


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _enter_userns(libc: Any) -> None:
    uid, gid = os.geteuid(), os.getegid()
    _check("unshare", libc.unshare(CLONE_NEWUSER | CLONE_NEWNS))
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def _mount(
    libc: Any,
    src: str | None,
    target: str,
    fstype: str | None,
    flags: int,
    data: str = "",
) -> None:
    rc = libc.mount(
        src.encode() if src else None,
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    _check(f"mount {target}", rc)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _hide(libc: Any, spec: dict[str, Any]) -> None:
    hide = sorted(
        {os.path.realpath(p) for p in spec.get("hide") or [] if os.path.isdir(p)}
    )
    keep: list[tuple[str, bool]] = []  # (path, read-only)
    for key, ro in (("keep_rw", False), ("keep_ro", True)):
        for p in spec.get(key) or []:
            if os.path.isdir(p):
                keep.append((os.path.realpath(p), ro))
    _enter_userns(libc)
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    # Opened in the new mount namespace: a bind mount's source must be there.
    fds = {p: os.open(p, os.O_PATH | os.O_DIRECTORY) for p, _ in keep}
    hidden: list[str] = []
    try:
        top = [h for h in hide if not any(o != h and _under(h, o) for o in hide)]
        for h in top:
            if any(_under(h, p) for p, _ in keep):
                continue  # a kept path is the dir itself or above it
            _mount(
                libc, "tmpfs", h, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700,size=16k"
            )
            hidden.append(h)
            for p, ro in keep:
                if not _under(p, h):
                    continue
                flags = os.statvfs(f"/proc/self/fd/{fds[p]}").f_flag & _KEEP_FLAGS
                os.makedirs(p, exist_ok=True)
                _mount(libc, f"/proc/self/fd/{fds[p]}", p, None, MS_BIND | MS_REC)
                if ro:
                    _mount(
                        libc, None, p, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags
                    )
            _mount(libc, None, h, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        _enter_userns(libc)  # mounts copied into a less privileged ns are locked
    except BaseException:
        # Half done is worse than not at all (a venv hidden but not kept):
        # show everything again, the runner goes on unisolated.
        for h in reversed(hidden):
            libc.umount2(h.encode(), MNT_DETACH)
        raise
    finally:
        for fd in fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)


def _landlock(libc: Any) -> bool:
    """A Landlock domain: out-of-domain processes can no longer be traced."""

    class Attr(ctypes.Structure):
        _fields_ = [("handled_access_fs", ctypes.c_uint64)]

    attr = Attr(LANDLOCK_ACCESS_FS_MAKE_BLOCK)  # handled, never allowed: mknod b
    fd = libc.syscall(
        SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.sizeof(attr), 0
    )
    if fd < 0:
        return False
    try:
        _check("prctl", libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        return bool(libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, fd, 0) == 0)
    finally:
        os.close(fd)


def apply(spec: dict[str, Any] | None) -> str:
    """Isolate this (single-threaded) process; "" when done, else why not."""
    if not spec:
        return "isolation off"
    try:
        libc = _libc()
        _hide(libc, spec)
    except (OSError, AttributeError) as e:
        return f"not isolated: {e}"
    try:
        if _landlock(libc):
            return ""
        why = "no Landlock in this kernel"
    except (OSError, AttributeError) as e:
        why = str(e)
    # The server's files are hidden, but other processes of the same user
    # (and their /proc/<pid>/root) are not.
    return f"partly isolated: {why}"
