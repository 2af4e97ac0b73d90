"""README's first command, as a newcomer runs it: the quickstart script end to end.

The script starts `ak up --mode dev` (with a real managed venv: the default
one, built once per test run and linked in), deploys the bundled project, sends
a webhook and prints the session's prints.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.e2e.conftest import link_default_venv

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]


def test_quickstart_script(tmp_path: Path, default_venv: Path) -> None:
    link_default_venv(tmp_path / "data", default_venv)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AK_")}
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "TMPDIR": str(tmp_path),
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "AK_HTTP__ADDR": f"127.0.0.1:{port}",
            "AK_HTTP__SERVICE_URL": f"http://127.0.0.1:{port}",
        }
    )
    try:
        out = subprocess.run(
            ["sh", str(REPO / "testdata/quickstart/run.sh")],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        pid_file = tmp_path / "state/ak-quickstart/server.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGINT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Meow! got a POST with: hello from the quickstart" in out.stdout
    assert "done, purr" in out.stdout
    assert (tmp_path / "data/autokitteh/venvs/default/.complete").exists()
    # The log and pid live in a private directory, not at fixed names in /tmp.
    state = tmp_path / "state/ak-quickstart"
    assert (state / "server.log").exists()
    assert state.stat().st_mode & 0o777 == 0o700
