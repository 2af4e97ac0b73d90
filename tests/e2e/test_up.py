"""`ak up` itself: modes, bind errors, readiness, token for non-loopback binds."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import run_ak
from tests.server import AkServer

pytestmark = pytest.mark.e2e


def test_bad_mode_rc40() -> None:
    r = run_ak("up", "--mode", "x")
    assert r.exit_code == 40
    assert r.stderr.strip() == 'Error: parse mode: invalid mode "x"'


def test_port_in_use_one_line_rc1() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_ak("-C", f"http.addr=127.0.0.1:{port}", "up", "--mode", "test")
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines()[-1] == (
        f"Error: listen tcp 127.0.0.1:{port}: address already in use"
    )


def test_default_mode_needs_db_dsn() -> None:
    r = run_ak("-C", "http.addr=127.0.0.1:0", "up", "--mode", "default")
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: db config must be specified")


def test_dev_server_banner_health_and_files(tmp_path: Path) -> None:
    server = AkServer(tmp_path, mode="dev").start()
    try:
        with urllib.request.urlopen(server.url + "/healthz") as resp:
            assert json.loads(resp.read()) == {"status": "ok"}
        r = run_ak("project", "create", "-n", "p", env=server.env)
        assert r.exit_code == 0 and r.stdout.startswith("project_id: prj_")
    finally:
        server.stop()
    log = server.log.read_text()
    assert "*** DEV MODE *** NEVER USE IN PRODUCTION" in log
    assert "Mode:       dev" in log
    data = tmp_path / "xdg_data_home" / "autokitteh"
    db = data / "autokitteh.sqlite"
    assert db.stat().st_mode & 0o777 == 0o600
    assert data.stat().st_mode & 0o777 == 0o700
    assert (
        server.proc is not None and server.proc.returncode == 0
    )  # Ctrl-C drains, rc 0


def test_non_loopback_bind_requires_token(tmp_path: Path) -> None:
    """Binding 0.0.0.0 generates a token; RPCs without it get 401, webhooks stay public."""
    server = AkServer(tmp_path, mode="test")
    server.extra = ["-C", "http.addr=0.0.0.0:0"]
    # AkServer passes 127.0.0.1:0 first; the later -C wins.
    server.start()
    try:
        creds = tmp_path / "xdg_config_home" / "autokitteh" / "credentials"
        assert creds.stat().st_mode & 0o777 == 0o600
        req = urllib.request.Request(
            server.url + "/autokitteh.projects.v1.ProjectsService/List",
            data=b"{}",
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req)
        assert e.value.code == 401
        e.value.close()
        # The CLI reads the stored token and succeeds.
        r = run_ak("project", "list", env=server.env)
        assert r.exit_code == 0, r.stderr
    finally:
        server.stop()


def test_no_server_one_line_error() -> None:
    r = run_ak("-C", "http.service_url=http://127.0.0.1:9", "project", "list")
    assert r.exit_code == 1
    assert r.stderr == (
        "Error: no ak server at http://127.0.0.1:9 (start one with: ak up --mode dev)\n"
    )


def test_up_help_runs_without_server() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "akcli", "up", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--mode" in out.stdout
