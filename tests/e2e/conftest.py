"""The real default venv, built once per test run and cached across runs.

Building it costs ~30 s, so tests that need it (`default_venv`) share one
copy under `.cache/test-venvs/default-<key>` (key: the requirements file,
this interpreter, this checkout) and link it into their server's data home.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.temporal_dev import TemporalDev


def _key() -> str:
    from akcli.venvs import DEFAULTS_FILE

    h = hashlib.sha256(DEFAULTS_FILE.read_bytes())
    h.update(f"{sys.executable}\0{sys.version}\0{REPO}".encode())
    return h.hexdigest()[:16]


@pytest.fixture(scope="session")
def default_venv() -> Path:
    """The default venv as a user gets it (bundled requirements file)."""
    from akcli.paths import Paths
    from akcli.progress import PlainSteps
    from akcli.venvs import python_for

    root = REPO / ".cache" / "test-venvs" / f"default-{_key()}"
    paths = Paths(root / "config", root / "data", root / "cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("AK_WORKER_PYTHON", raising=False)
        steps = PlainSteps("tests: the shared default venv")
        python_for(paths, None, steps)  # a no-op when already built
        steps.close()
    return paths.venvs_dir / "default"


def link_default_venv(data_home: Path, venv: Path) -> None:
    """Make `venv` the default venv of the data home `data_home/autokitteh`."""
    venvs = data_home / "autokitteh" / "venvs"
    venvs.mkdir(parents=True, exist_ok=True)
    (venvs / "default").symlink_to(venv)


@pytest.fixture(scope="module")
def temporal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TemporalDev]:
    """A Temporal dev server for the module's tests (engine temporal)."""
    dev = TemporalDev(tmp_path_factory.mktemp("temporal")).start()
    try:
        yield dev
    finally:
        dev.stop()
