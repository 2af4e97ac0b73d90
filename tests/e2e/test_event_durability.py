"""Accepted webhook events survive kill -9 and are dispatched exactly once.

A burst of concurrent webhook requests hits a dev-mode server, which is killed
with SIGKILL right after the 202s. After a restart every acknowledged event ID
is listed by `ak event list`, and each has exactly one session.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.server import AkServer

pytestmark = pytest.mark.e2e

MANIFEST = """version: v1
project:
  name: burst
  triggers:
    - name: hook
      type: webhook
      call: program.py:on_event
"""
BURST = 50


def _ak(server: AkServer, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "akcli", *args],
        cwd=cwd,
        env={**os.environ, **server.env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_burst_then_kill9_loses_nothing(tmp_path: Path) -> None:
    server = AkServer(
        tmp_path / "home", mode="dev", env={"AK_WORKER_PYTHON": sys.executable}
    ).start()
    work = tmp_path / "work"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(MANIFEST)
    (work / "program.py").write_text("def on_event(event):\n    pass\n")
    try:
        p = _ak(server, work, "deploy")
        assert p.returncode == 0, p.stdout + p.stderr
        slug = p.stderr.split('"/webhooks/')[1].split('"')[0]

        def fire(i: int) -> str:
            req = urllib.request.Request(
                f"{server.url}/webhooks/{slug}?i={i}", data=b"{}", method="POST"
            )
            with urllib.request.urlopen(req, timeout=30) as resp:
                assert resp.status == 202
                return str(resp.headers["AutoKitteh-Event-ID"])

        with ThreadPoolExecutor(16) as pool:
            acked = list(pool.map(fire, range(BURST)))
        server.kill9()  # right after the last 202
    finally:
        server.stop()
    assert len(set(acked)) == BURST

    server.start()
    try:
        listed = _ak(server, work, "event", "list", "-p", "burst", "-j")
        assert listed.returncode == 0, listed.stderr
        ids = {json.loads(line)["event_id"] for line in listed.stdout.splitlines()}
        assert set(acked) <= ids
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # dispatch resumes from the store
            with sqlite3.connect(server.db_file) as db:
                (pending,) = db.execute(
                    "SELECT COUNT(*) FROM events WHERE dispatched = 0"
                ).fetchone()
            if pending == 0:
                break
            time.sleep(0.2)
        assert pending == 0
    finally:
        server.stop()

    with sqlite3.connect(server.db_file) as db:
        counts = dict(
            db.execute(
                "SELECT e.event_id, COUNT(s.session_id) FROM events e"
                " LEFT JOIN sessions s ON s.event_id = e.event_id GROUP BY e.event_id"
            ).fetchall()
        )
    assert {eid: counts.get(eid) for eid in acked} == dict.fromkeys(acked, 1)
