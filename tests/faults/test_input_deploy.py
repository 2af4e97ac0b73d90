"""`ak deploy` against hostile or odd project directories, and redeploys that
must not lose secrets (issue 11 items 6 and 9, issue 12 item 4).

On main before the fixes: a socket crashed the deploy (`OSError: [Errno 6]`),
a symlink to a file outside the project was uploaded, a too-large var or an
empty project left a project behind, a redeploy of `secret: true` blanked
the stored secret, and a venv was built before the server was contacted.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.conftest import run_ak
from tests.faults.conftest import Env

pytestmark = pytest.mark.faults

PROGRAM = "def on_get(event):\n    print('hi')\n"


def manifest(name: str, extra: str = "") -> str:
    return (
        f"version: v2\nproject:\n  name: {name}\n{extra}  triggers:\n"
        "    - name: get\n      type: webhook\n      call: program.py:on_get\n"
    )


def _project(env: Env, name: str, extra: str = "") -> Path:
    work = env.tmp / "projects" / name
    work.mkdir(parents=True)
    (work / "autokitteh.yaml").write_text(manifest(name, extra))
    (work / "program.py").write_text(PROGRAM)
    return work


def _files(env: Env, project: str) -> set[str]:
    out = env.tmp / f"download-{project}"
    env.ok("project", "download", project, "-o", str(out))
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def test_socket_in_the_directory_is_skipped(env: Env) -> None:
    work = _project(env, "sock")
    sock = socket.socket(socket.AF_UNIX)
    sock_path = work / "s.sock"
    if len(str(sock_path)) > 100:
        pytest.skip("tmp path too long for a unix socket")
    sock.bind(str(sock_path))
    try:
        r = env.ak("deploy", cwd=work)
    finally:
        sock.close()
    assert r.exit_code == 0, r.stderr
    assert "upload: 1 file, " in r.stderr
    assert _files(env, "sock") == {"program.py"}


def test_symlink_outside_the_project_is_refused(env: Env) -> None:
    work = _project(env, "links")
    outside = env.tmp / "outside.txt"
    outside.write_text("not yours")
    (work / "inside.py").write_text("X = 1\n")
    (work / "ok_link.py").symlink_to(work / "inside.py")
    (work / "leak.txt").symlink_to(outside)
    r = env.ak("deploy", cwd=work)
    assert r.exit_code == 40, r.stdout + r.stderr
    assert r.stderr.strip() == (
        f"Error: leak.txt: symlink points outside the project ({outside})"
    )
    assert "links" not in env.ok("project", "list")
    (work / "leak.txt").unlink()
    r = env.ak("deploy", cwd=work)
    assert r.exit_code == 0, r.stderr
    assert _files(env, "links") == {"program.py", "inside.py", "ok_link.py"}


def test_failed_deploys_leave_nothing_behind(env: Env) -> None:
    big = "x" * ((1 << 20) + 1)
    work = _project(
        env,
        "bigvar",
        f"  vars:\n    - name: SMALL\n      value: s\n"
        f"    - name: BIG\n      value: {big}\n",
    )
    r = env.ak("deploy", cwd=work)
    assert r.exit_code == 40, r.stderr
    assert 'var "BIG": value is larger than 1 MiB' in r.stderr
    empty = env.tmp / "projects" / "nofiles"
    empty.mkdir()
    (empty / "autokitteh.yaml").write_text(
        "version: v2\nproject:\n  name: nofiles\n  vars:\n    - name: A\n      value: a\n"
    )
    r = env.ak("deploy", cwd=empty)
    assert r.exit_code == 40, r.stderr
    assert r.stderr.strip() == "Error: nothing to upload: no files found"
    assert env.ok("project", "list").strip() == ""


def test_redeploy_keeps_a_secret_set_with_ak_var_set(env: Env) -> None:
    for i, decl in enumerate(
        ("      secret: true\n", "      secret: true\n      value:\n")
    ):
        name = f"keep{i}"
        extra = f"  vars:\n    - name: TOKEN\n{decl}    - name: OTHER\n      value: o\n"
        work = _project(env, name, extra)
        env.ok("deploy", cwd=work)
        env.ok("var", "set", "--secret", "-p", name, "TOKEN", "s3cr3t")
        env.ok("var", "set", "--secret", "-p", name, "EXTRA", "kept-too")
        r = env.ak("deploy", cwd=work)
        assert r.exit_code == 0, r.stderr
        got = env.ok("var", "get", "-p", name, "--reveal")
        assert 'TOKEN="s3cr3t"' in got and 'EXTRA="kept-too"' in got, got
        assert (
            f'[plan] var "{name}/TOKEN": secret is set, keeping the stored value'
            in r.stdout
        )
        assert 'secret var "EXTRA" is not in the manifest, keeping it' in r.stdout
        plan = env.ok("manifest", "plan", "-q", str(work / "autokitteh.yaml"), "-J")
        assert "s3cr3t" not in plan  # the plan never carries the stored secret
        assert all(
            a["type"] != "set_var" or a["action"]["var"]["name"] != "TOKEN"
            for a in json.loads(plan)
        )


def test_server_checked_before_any_venv_build(tmp_path: Path) -> None:
    work = tmp_path / "p"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(manifest("novenv"))
    (work / "program.py").write_text(PROGRAM)
    (work / "requirements.txt").write_text("surely-not-a-real-package-ak==0.0.1\n")
    r = run_ak(
        "deploy",
        cwd=work,
        env={"AK_HTTP__SERVICE_URL": "http://127.0.0.1:9", "AK_WORKER_PYTHON": ""},
    )
    assert r.exit_code == 1, r.stderr
    assert "preparing the Python environment" not in r.stderr
    assert r.stderr.strip().startswith("Error: no ak server at http://127.0.0.1:9")
