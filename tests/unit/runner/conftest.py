"""Fixtures for runner tests.

The in-memory ``SessionHost`` lives in ``helpers.py`` (``FakeHost``). The SDK is
importable in this process as the top-level ``autokitteh``, as in a runner.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator

import pytest

import runner

_RUNNER_DIR = os.path.dirname(os.path.abspath(runner.__file__))
if _RUNNER_DIR not in sys.path:
    sys.path.append(_RUNNER_DIR)


@pytest.fixture
def durable_session(tmp_path) -> Iterator[object]:
    """A durable runner Session (over a socketpair) attached to runner.call."""
    from runner import call
    from runner.syscalls import Channel, Session

    a, b = socket.socketpair()
    session = Session(Channel(a))
    session.durable = True
    session.code_dir = str(tmp_path)
    call.set_session(session)
    try:
        yield session
    finally:
        call.set_session(None)
        a.close()
        b.close()
