"""This process's environment and name (stdlib only): what a runner takes on
when it gets its session."""

from __future__ import annotations

import os

from runner import reaper

__all__ = ["IDLE_NAME", "set_environ", "set_name"]

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
