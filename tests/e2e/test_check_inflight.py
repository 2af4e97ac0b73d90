"""`ak deploy --check-inflight` and `ak session migrate` (issue 15, item 3).

A durable session sleeps after 3 activities. A deploy that calls another
function at seq 2 is reported as `diverges at seq 2` and the session finishes
on its own build; a compatible deploy is reported `compatible`, and `ak session
migrate` moves the session there (it returns the new build's value).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.e2e.test_journal_divergence import program
from tests.e2e.test_webhooks import ak
from tests.server import AkServer

pytestmark = pytest.mark.e2e

MANIFEST = "version: v1\nproject:\n  name: pinned\n"


def _session(server: AkServer, work: Path, sid: str) -> dict[str, object]:
    p = ak(server, work, "session", "get", sid, "-j")
    assert p.returncode == 0, p.stderr
    doc: dict[str, object] = json.loads(p.stdout)["session"]
    return doc


def _start(server: AkServer, work: Path, code: str) -> str:
    (work / "main.py").write_text(code)
    p = ak(server, work, "deploy")
    assert p.returncode == 0, p.stdout + p.stderr
    p = ak(server, work, "session", "start", "-o", "pinned", "-p", "main.py:main", "-D")
    assert p.returncode == 0, p.stdout + p.stderr
    sid = p.stdout.split()[-1].strip()
    deadline = time.monotonic() + 20
    while True:  # sleeping after its 3 activities
        p = ak(server, work, "session", "log", sid, "--page-size", "100")
        if "SDK Call Complete: #4" in p.stdout:
            return sid
        assert time.monotonic() < deadline, p.stdout
        time.sleep(0.1)


def _final(server: AkServer, work: Path, sid: str) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while True:
        doc = _session(server, work, sid)
        if str(doc["state"]).rsplit("_", 1)[-1] in ("COMPLETED", "ERROR", "STOPPED"):
            return doc
        assert time.monotonic() < deadline, doc
        time.sleep(0.1)


@pytest.fixture
def served(tmp_path: Path) -> tuple[AkServer, Path]:
    server = AkServer(tmp_path / "home").start()
    work = tmp_path / "work"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(MANIFEST)
    return server, work


def test_diverging_deploy_is_reported_and_session_stays(
    served: tuple[AkServer, Path],
) -> None:
    server, work = served
    try:
        sid = _start(server, work, program(3))
        build = _session(server, work, sid)["build_id"]
        (work / "main.py").write_text(program(3, changed=True))
        p = ak(server, work, "deploy", "--check-inflight")
        assert p.returncode == 0, p.stdout + p.stderr
        report = [ln for ln in p.stdout.splitlines() if not ln.startswith("[")]
        assert (
            report[0]
            == f"{sid}: diverges at seq 2: recorded two (main.py:19), now other (main.py:19)"
        )
        assert report[2].split() == ["seq", "2", "2"]
        assert report[6].split() == ["source", "b", "=", "two(a)", "b", "=", "other(a)"]
        m = ak(server, work, "session", "migrate", sid)
        assert m.returncode == 0, m.stderr
        assert m.stdout.startswith(f"{sid}: diverges at seq 2")
        doc = _final(server, work, sid)
    finally:
        server.stop()
    assert doc["state"] == "SESSION_STATE_TYPE_COMPLETED", doc
    assert doc["build_id"] == build and doc["return_value"] == 5


def test_compatible_deploy_and_migrate(served: tuple[AkServer, Path]) -> None:
    server, work = served
    try:
        sid = _start(server, work, program(3))
        (work / "main.py").write_text(
            program(3).replace("return a + b + c", "return a + b + c + 100")
        )
        p = ak(server, work, "deploy", "--check-inflight", "-j")
        assert p.returncode == 0, p.stdout + p.stderr
        verdicts = [
            json.loads(ln) for ln in p.stdout.splitlines() if ln.startswith("{")
        ]
        assert [(v["session_id"], v["result"]) for v in verdicts] == [
            (sid, "compatible")
        ]
        m = ak(server, work, "session", "migrate", "pinned", "--all-compatible")
        assert m.returncode == 0, m.stderr
        assert m.stdout.startswith(f"{sid}: migrated to bld_")
        doc = _final(server, work, sid)
    finally:
        server.stop()
    assert doc["state"] == "SESSION_STATE_TYPE_COMPLETED", doc
    assert doc["return_value"] == 105  # the new build's code finished it


def test_kill9_right_after_migrate(tmp_path: Path) -> None:
    """kill -9 at once after the migration committed: the restarted server
    resumes the session on the new build (its row), which finishes it."""
    server = AkServer(tmp_path / "home", mode="dev").start()
    work = tmp_path / "work"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(MANIFEST)
    try:
        sid = _start(server, work, program(2))
        (work / "main.py").write_text(
            program(2).replace("return a + b + c", "return a + b + c + 100")
        )
        assert ak(server, work, "deploy").returncode == 0
        m = ak(server, work, "session", "migrate", sid)
        assert m.stdout.startswith(f"{sid}: migrated to bld_"), m.stdout + m.stderr
        server.kill9()
        server.start()
        doc = _final(server, work, sid)
    finally:
        server.stop()
    assert doc["state"] == "SESSION_STATE_TYPE_COMPLETED", doc
    assert doc["return_value"] == 105
