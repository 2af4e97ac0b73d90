"""`ak var` against a real dev-mode server: secrets at rest, stdin values, export."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_ak
from tests.server import AkServer

PLAINTEXT = "hunter2-very-secret-value"


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[AkServer]:
    server = AkServer(tmp_path / "server", mode="dev").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.e2e
def test_secret_is_encrypted_at_rest(dev_server: AkServer, tmp_path: Path) -> None:
    env = dev_server.env
    assert run_ak("project", "create", "-n", "p", env=env).exit_code == 0
    r = run_ak("var", "set", "tok", PLAINTEXT, "--secret", "-p", "p", env=env)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
    run_ak("var", "set", "plain", "visible", "-p", "p", env=env)

    r = run_ak("var", "get", "tok", "-p", "p", env=env)
    assert r.stdout == "tok=<secret>\n"
    r = run_ak("-j", "var", "get", "tok", "-p", "p", env=env)
    assert PLAINTEXT not in r.stdout and '"value":"<secret>"' in r.stdout
    r = run_ak("var", "get", "tok", "-p", "p", "--reveal", env=env)
    assert r.stdout == f'tok="{PLAINTEXT}"\n'

    # The plaintext is nowhere in the SQLite files, nor in the server's log.
    blobs = b"".join(
        p.read_bytes()
        for p in dev_server.db_file.parent.glob("autokitteh.sqlite*")
        if p.is_file()
    )
    assert b"visible" in blobs  # sanity: we are reading the right files
    assert PLAINTEXT.encode() not in blobs
    assert PLAINTEXT not in dev_server.log.read_text(errors="replace")

    # Export leaves var values blank unless -c.
    out = tmp_path / "p.zip"
    assert run_ak("project", "export", "p", "-o", str(out), env=env).exit_code == 0
    with zipfile.ZipFile(out) as zf:
        manifest = zf.read("autokitteh.yaml").decode()
    assert "version: v2" in manifest and PLAINTEXT not in manifest


@pytest.mark.e2e
def test_value_from_stdin_and_limit(dev_server: AkServer) -> None:
    env = dev_server.env
    run_ak("project", "create", "-n", "p", env=env)
    r = run_ak("var", "set", "k", "-p", "p", input="line1\nline2", env=env)
    assert r.exit_code == 0, r.stderr
    r = run_ak("var", "get", "k", "-p", "p", env=env)
    assert r.stdout == 'k="line1\\nline2"\n'

    r = run_ak("var", "set", "big", "-p", "p", input="x" * ((1 << 20) + 1), env=env)
    assert r.exit_code == 1
    assert r.stderr == "Error: value read from stdin is larger than 1 MiB\n"


@pytest.mark.e2e
def test_export_zip_contents(dev_server: AkServer, tmp_path: Path) -> None:
    env = dev_server.env
    code = tmp_path / "code"
    code.mkdir()
    (code / "main.py").write_text("def on_get(event):\n    pass\n")
    (code / "autokitteh.yaml").write_text(
        "version: v2\nproject:\n  name: p\n  vars:\n    - name: V\n      value: x\n"
        "  triggers:\n    - name: get\n      webhook: {}\n      call: main.py:on_get\n"
    )
    r = run_ak("deploy", "-m", str(code / "autokitteh.yaml"), env=env)
    assert r.exit_code == 0, r.stderr
    p = subprocess.run(
        [sys.executable, "-m", "akcli", "project", "export", "p", "-o", "-", "-c"],
        capture_output=True,
        env={**os.environ, **env},
        timeout=60,
        check=True,
    )
    with zipfile.ZipFile(io.BytesIO(p.stdout)) as zf:
        assert sorted(zf.namelist()) == ["autokitteh.yaml", "main.py"]
        manifest = zf.read("autokitteh.yaml").decode()
    assert "value: x" in manifest
    assert "webhook: {}" in manifest and "is_durable: false" in manifest
