"""Fixtures for the SDK client helpers: the SDK on sys.path and a fake API."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

import runner

from .fakeapi import FakeAPI, serve

_RUNNER_DIR = os.path.dirname(os.path.abspath(runner.__file__))
if _RUNNER_DIR not in sys.path:
    sys.path.append(_RUNNER_DIR)


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    """A fake API server on 127.0.0.1 (its URL in ``api.url``)."""
    with serve() as fake:
        yield fake
