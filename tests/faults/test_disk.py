"""Write errors in the data home: a read-only data dir at start-up, and a disk
that fills up under a running server (a small tmpfs mounted on the data home).

`ak up` on a read-only data home fails with one `Error: ...` line, no traceback.
A full disk makes writes fail with a clear answer (never a 202 without an
event); the server keeps answering `/healthz`; once space is back it accepts
webhooks again and runs their sessions; nothing is half-written.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.faults.conftest import Env, assert_store_sound, connect, make_server
from tests.server import AkServer

pytestmark = pytest.mark.faults

MANIFEST = """version: v1
project:
  name: disk
  triggers:
    - name: hook
      type: webhook
      call: program.py:on_event
"""
PROGRAM = "def on_event(event):\n    print(len(event.data.body.bytes or b''))\n"


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make `path` unwritable: chmod 0500, or a read-only tmpfs for root."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        path.chmod(0o500)
        try:
            yield
        finally:
            path.chmod(0o700)
        return
    if not _mount("-t", "tmpfs", "-o", "ro,size=1m,mode=0700", "tmpfs", str(path)):
        pytest.skip("root without mount: cannot make a directory read-only")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_up_on_read_only_data_home(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv")
    data = server.db_file.parent
    with read_only(data):
        p = subprocess.run(
            [
                sys.executable,
                "-m",
                "akcli",
                "up",
                "--mode",
                "dev",
                "-C",
                "http.addr=127.0.0.1:0",
            ],
            env=server.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert p.returncode != 0
    assert "Traceback" not in p.stderr, p.stderr
    errors = [line for line in p.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, p.stderr
    assert not server.db_file.exists()
    # writable again: the server starts and works
    server.start()
    try:
        env = Env(server, tmp_path)
        env.deploy("disk", {"autokitteh.yaml": MANIFEST, "program.py": PROGRAM})
        assert env.healthy()
    finally:
        server.stop()
    assert_store_sound(server.db_file)


@contextlib.contextmanager
def small_disk(tmp_path: Path) -> Iterator[tuple[AkServer, Path]]:
    """A server whose data home is a 3 MB tmpfs (root only)."""
    if os.geteuid() != 0:
        pytest.skip("filling a disk needs a small tmpfs: run as root")
    server = make_server(tmp_path / "srv")
    data = server.db_file.parent
    data.mkdir(parents=True)
    if not _mount("-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", str(data)):
        pytest.skip("mount failed: cannot build a small disk")
    try:
        yield server, data
    finally:
        server.stop()
        subprocess.run(["umount", "-l", str(data)], check=False)


def test_disk_full_then_recovery(tmp_path: Path) -> None:
    with small_disk(tmp_path) as (server, data):
        _disk_full_then_recovery(server, tmp_path, data)


def test_deploy_on_full_disk_names_the_cause(tmp_path: Path) -> None:
    with small_disk(tmp_path) as (server, _):
        server.start()
        env = Env(server, tmp_path)
        r = _deploy_big(env, tmp_path)
        assert r.exit_code != 0
        assert "full" in r.stderr, r.stderr


def _deploy_big(env: Env, tmp_path: Path) -> Result:
    big = tmp_path / "big"
    big.mkdir(exist_ok=True)
    (big / "autokitteh.yaml").write_text(MANIFEST.replace("name: disk", "name: big"))
    (big / "program.py").write_text(PROGRAM)
    (big / "blob.txt").write_bytes(os.urandom(4 * 1024 * 1024))
    return env.ak("deploy", cwd=big)


def _disk_full_then_recovery(server: AkServer, tmp_path: Path, data: Path) -> None:
    server.start()
    env = Env(server, tmp_path)
    env.deploy("disk", {"autokitteh.yaml": MANIFEST, "program.py": PROGRAM})
    slug = env.slug("disk", "hook")
    body = os.urandom(200 * 1024).hex().encode()[: 400 * 1024]
    acked: list[str] = []
    failures: list[tuple[int, bytes]] = []
    for i in range(40):
        status, headers, text = env.request("POST", f"/webhooks/{slug}?i={i}", body)
        if status == 202:
            acked.append(headers["autokitteh-event-id"])
        else:
            failures.append((status, text))
            if len(failures) >= 3:
                break
    assert failures, "the disk never filled up"
    for status, text in failures:
        assert 500 <= status < 600, (status, text)
        assert text.strip(), "an error answer without a reason"
    assert env.healthy()
    env.ok("project", "list")
    r = _deploy_big(env, tmp_path)
    assert r.exit_code != 0, "deployed 4 MB onto a full disk"
    assert "Traceback" not in r.stderr, r.stderr
    assert len([x for x in r.stderr.splitlines() if x.startswith("Error: ")]) == 1

    assert _mount("-o", "remount,size=64m", str(data)), "cannot grow the tmpfs"
    status, headers, _ = env.request("POST", f"/webhooks/{slug}?after=1", b"small")
    assert status == 202
    acked.append(headers["autokitteh-event-id"])
    with connect(server.db_file) as db:
        stored = {r[0] for r in db.execute("SELECT event_id FROM events")}
    assert set(acked) <= stored, "a 202 without a stored event"
    for eid in acked:
        sid = _session_of(env, eid)
        row = env.wait_final(sid, 60)
        assert row["state"] == "completed", row["error"]
    r = _deploy_big(env, tmp_path)  # what was half-applied is completed
    assert r.exit_code == 0, r.stderr
    with connect(server.db_file) as db:
        states = [
            row[0]
            for row in db.execute(
                "SELECT d.state FROM deployments d JOIN projects p"
                " USING (project_id) WHERE p.name = 'big'"
            )
        ]
        triggers = [
            row[0]
            for row in db.execute(
                "SELECT t.name FROM triggers t JOIN projects p USING (project_id)"
                " WHERE p.name = 'big'"
            )
        ]
    assert states == ["DEPLOYMENT_STATE_ACTIVE"], states
    assert triggers == ["hook"], triggers
    server.stop()
    server.start()  # a clean restart after all that
    assert env.healthy()
    server.stop()
    assert_store_sound(server.db_file)


def _session_of(env: Env, eid: str, timeout: float = 30) -> str:
    import time

    deadline = time.monotonic() + timeout
    while True:
        with env.db() as db:
            row = db.execute(
                "SELECT session_id FROM sessions WHERE event_id = ?", (eid,)
            ).fetchone()
        if row:
            return str(row[0])
        assert time.monotonic() < deadline, f"event {eid} has no session"
        time.sleep(0.1)
