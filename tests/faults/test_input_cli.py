"""Odd CLI input is one `Error:` line with the right code (issue 11 item 7),
`ak var set --secret` prompts hidden on a terminal (issue 12), and
`ak project export -c` writes its zip 0600 (issue 11 item 9).

On main before the fixes: closed stdin -> AttributeError, binary stdin ->
UnicodeDecodeError, port 99999 -> OverflowError (all rc 1 with a traceback),
the secret was read from the terminal in the clear, and the zip was 0644.
"""

from __future__ import annotations

import os
import pty
import select
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_ak
from tests.faults.conftest import Env

pytestmark = pytest.mark.faults


def _one_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_var_set_with_closed_stdin(env: Env) -> None:
    cmd = shlex.join([sys.executable, "-m", "akcli", "var", "set", "-p", "p", "V"])
    p = subprocess.run(
        ["sh", "-c", f"exec {cmd} <&-"],
        capture_output=True,
        text=True,
        env={**os.environ, **env.server.env},
        timeout=60,
    )
    assert p.returncode == 40, p.stderr
    assert "stdin is closed" in _one_error(p.stderr)


def test_var_set_with_binary_stdin(env: Env) -> None:
    p = subprocess.run(
        [sys.executable, "-m", "akcli", "var", "set", "-p", "p", "V"],
        input=b"\xff\xfe\x00binary",
        capture_output=True,
        env={**os.environ, **env.server.env},
        timeout=60,
    )
    assert p.returncode == 40, p.stderr
    assert "not UTF-8" in _one_error(p.stderr.decode())


def test_http_addr_port_out_of_range(tmp_path: Path) -> None:
    r = run_ak("up", "--mode", "test", env={"AK_HTTP__ADDR": "127.0.0.1:99999"})
    assert r.exit_code == 40, r.stderr
    assert "port 0-65535" in _one_error(r.stderr)


def _read_until(fd: int, want: bytes, timeout: float = 30) -> bytes:
    out = b""
    deadline = time.monotonic() + timeout
    while want not in out:
        assert time.monotonic() < deadline, out
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def test_secret_prompt_on_a_terminal_is_hidden(env: Env) -> None:
    env.ok("project", "create", "-n", "p")
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "akcli", "var", "set", "--secret", "-p", "p", "TOKEN"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, **env.server.env},
        start_new_session=True,
    )
    os.close(slave)
    try:
        seen = _read_until(master, b"Secret value: ")
        os.write(master, b"s3cr3t-value\n")
        assert proc.wait(60) == 0
        try:
            while select.select([master], [], [], 0.2)[0]:
                chunk = os.read(master, 1024)
                if not chunk:
                    break
                seen += chunk
        except OSError:
            pass
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert b"s3cr3t-value" not in seen  # never echoed
    out = env.ok("var", "get", "TOKEN", "-p", "p", "--reveal")
    assert out.strip() == 'TOKEN="s3cr3t-value"'


def test_export_with_contents_is_private(env: Env) -> None:
    env.deploy(
        "exp",
        {
            "autokitteh.yaml": "version: v2\nproject:\n  name: exp\n",
            "program.py": "def on(event):\n    pass\n",
        },
    )
    env.ok("var", "set", "--secret", "-p", "exp", "KEY", "v")
    target = env.tmp / "exp.zip"
    r = env.ak("project", "export", "exp", "-c", "-o", str(target))
    assert r.exit_code == 0, r.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    assert "mode 0600" in r.stderr and "plain text" in r.stderr
