"""Fixtures for the SDK client helpers: the SDK on sys.path and a fake API."""

from __future__ import annotations

import gc
import os
import sys
import warnings
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


@pytest.fixture(autouse=True, scope="package")
def _unfreeze_after_package() -> Iterator[None]:
    """Give the objects frozen by ``_collect_client_sockets`` back to the GC."""
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def _collect_client_sockets() -> Iterator[None]:
    """Close the sockets the clients' sessions leave open, inside this test.

    Many client libraries never close their HTTP sessions; collected later,
    they would warn (an error under ``filterwarnings = error``) in another test.
    What survives is frozen, so that the next collection only scans new objects
    (a full one costs ~1 s with these libraries loaded).
    """
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        if str(item.path).startswith(here + os.sep):
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))
