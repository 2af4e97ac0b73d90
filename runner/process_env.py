"""This process's environment and name (stdlib only): what a runner takes on
when it gets its session."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from runner import errors_fmt, reaper

__all__ = ["IDLE_NAME", "apply_limits", "set_environ", "set_name"]

# The process name (/proc/<pid>/comm) of a pre-forked runner while it is idle.
IDLE_NAME = b"ak-idle"
_PR_SET_NAME, _PR_GET_NAME = 15, 16


def set_environ(env: dict[str, str]) -> None:
    """Make os.environ exactly ``env`` (cheaper than clear() + update())."""
    for key in [k for k in os.environ if k not in env]:
        del os.environ[key]
    for key, value in env.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def set_name(name: bytes) -> bytes:
    """Set this process's name (Linux); returns the previous one (b"": unknown)."""
    try:
        import ctypes

        libc = reaper.libc()
        old = ctypes.create_string_buffer(16)
        libc.prctl(_PR_GET_NAME, old, 0, 0, 0)
        if name:
            libc.prctl(_PR_SET_NAME, ctypes.c_char_p(name), 0, 0, 0)
        return old.value
    except (OSError, AttributeError, ImportError):
        return b""


def apply_limits(limits: dict[str, Any] | None) -> None:
    """Resource limits of this session process (protocol: ``spawn.limits``).

    ``max_memory_mb``: the address-space limit (``RLIMIT_AS``), so a handler
    that allocates without bound gets a ``MemoryError`` (the session ends in
    ERROR) or, if the runner itself cannot allocate, dies with an exit code the
    server reports. Never raises: a limit that cannot be set is skipped.
    """
    mb = (limits or {}).get("max_memory_mb")
    if not isinstance(mb, int) or isinstance(mb, bool) or mb <= 0:
        return
    try:
        import resource
    except ImportError:  # not on this platform
        return
    want = mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY and hard < want:
            want = hard
        resource.setrlimit(resource.RLIMIT_AS, (want, want))
        errors_fmt.memory_limit_mb = want // (1024 * 1024)
