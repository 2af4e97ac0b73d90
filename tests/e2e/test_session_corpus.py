"""Runs every session test file of `testdata/sessions/` in both modes.

Each file goes through the real `ak session test <file> -p <project> [--durable]`
against one `ak up --mode test` server shared by the module (user code runs
with this interpreter via AK_WORKER_PYTHON: no venv build). The
`requirements.txt` case needs a real venv build, so it gets its own server
without AK_WORKER_PYTHON; it is skipped only when pip cannot reach a package
index. Adding a case means adding a file.

Speed: an `ak` CLI run costs ~0.5 s of interpreter start, so the runs are made
by a few workers at once, each with its own project (created once with
`ak project create -n corpus[_N]`; `ak session test` re-uploads the files of
each case into it). All runs start when the server fixture is set up; each
test waits for its own result. Files for one mode only (`x.durable.txtar`)
are run in the other mode too, where the CLI must answer SKIP.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from akcli.sessiontest import applies
from tests.server import AkServer

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "testdata" / "sessions"
VENV_CASES = {"requirements"}  # cases that need a real venv build
CASES = sorted(CORPUS.glob("*.txtar"))
MODES = ["nondurable", "durable"]

pytestmark = pytest.mark.e2e


WORKERS = 3


def _ak(
    server: AkServer, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "akcli", *args],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


class Corpus:
    """A server plus a pool of workers, one project each, running cases."""

    def __init__(
        self, server: AkServer, pool: ThreadPoolExecutor, workers: int
    ) -> None:
        self.server = server
        self.projects: queue.Queue[str] = queue.Queue()
        for i in range(workers):
            name = "corpus" if i == 0 else f"corpus_{i}"
            r = _ak(server, "project", "create", "-n", name)
            assert r.returncode == 0, r.stdout + r.stderr
            self.projects.put(name)
        self.pool = pool
        self.runs: dict[tuple[str, str], Future[tuple[int, str]]] = {}

    def submit(self, cases: list[Path]) -> None:
        for path in cases:
            for mode in MODES:
                self.runs[(path.name, mode)] = self.pool.submit(self._run, path, mode)

    def _run(self, path: Path, mode: str) -> tuple[int, str]:
        project = self.projects.get()
        try:
            args = ["session", "test", str(path), "-p", project, "-t", "60s"]
            if mode == "durable":
                args.append("--durable")
            r = _ak(self.server, *args)
            return r.returncode, r.stdout + r.stderr
        finally:
            self.projects.put(project)

    def check(self, path: Path, mode: str) -> None:
        rc, out = self.runs[(path.name, mode)].result(timeout=300)
        assert rc == 0, f"{path.name} ({mode}) failed:\n{out}"
        want = "PASS" if applies(path.name, mode == "durable") else "SKIP"
        assert out.startswith(want), out


def _corpus(
    home: Path, env: dict[str, str], cases: list[Path], workers: int
) -> Iterator[Corpus]:
    server = AkServer(home, env=env).start()
    pool = ThreadPoolExecutor(workers)
    try:
        corpus = Corpus(server, pool, workers)
        corpus.submit(cases)
        yield corpus
    finally:
        pool.shutdown(cancel_futures=True)
        server.stop()


PLAIN = [p for p in CASES if p.stem not in VENV_CASES]
WITH_VENV = [p for p in CASES if p.stem in VENV_CASES]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    home = tmp_path_factory.mktemp("corpus")
    env = {"AK_WORKER_PYTHON": sys.executable}
    yield from _corpus(home, env, PLAIN, WORKERS)


@pytest.fixture(scope="module")
def venv_corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    if not _index_reachable():
        pytest.skip("pip cannot reach a package index")
    home = tmp_path_factory.mktemp("corpus-venv")
    # Real venvs over a minimal default one (the default set has its own tests).
    env = {"AK_WORKER_PYTHON": "", "AK_PYTHONRT__DEFAULT_REQUIREMENTS": "[]"}
    yield from _corpus(home, env, WITH_VENV, 1)


def _index_reachable() -> bool:
    """Whether `pip download six` works (from the index or pip's cache)."""
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "-q",
                "-d",
                tmp,
                "six",
            ],
            capture_output=True,
            timeout=120,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
    return r.returncode == 0


def test_corpus_size() -> None:
    assert len(CASES) >= 32


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", PLAIN, ids=lambda p: p.stem)
def test_session_file(corpus: Corpus, path: Path, mode: str) -> None:
    corpus.check(path, mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", WITH_VENV, ids=lambda p: p.stem)
def test_session_file_with_venv(venv_corpus: Corpus, path: Path, mode: str) -> None:
    venv_corpus.check(path, mode)
