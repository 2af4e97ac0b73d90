"""Issue 11 item 1: a runtime dir another user prepared is never trusted.

The old server reused ``/tmp/ak-<uid>-<digest>`` whoever owned it and put its
``stage/`` on the zygote's PYTHONPATH: a ``sitecustomize.py`` planted there ran
as the server's user. Now the dir must be ours, 0700 and not a symlink, or
``ak up`` refuses it with one ``Error:`` line.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.conftest import Env
from tests.security.conftest import as_nobody, make_server, project, server_paths

pytestmark = pytest.mark.faults

PLANT = "import pathlib; pathlib.Path(__file__).with_name('pwned').write_text('x')\n"


@pytest.fixture
def runtime_dir(tmp_path: Path) -> Iterator[Path]:
    path = server_paths(make_server(tmp_path / "srv")).runtime_dir
    shutil.rmtree(path, ignore_errors=True)
    if path.is_symlink():
        path.unlink()
    yield path
    if path.is_symlink():
        path.unlink()
    shutil.rmtree(path, ignore_errors=True)


def _refused_or_unused(tmp_path: Path, planted: Path) -> None:
    """`ak up` either refuses the dir (one Error: line, rc 1) or never runs the plant."""
    server = make_server(tmp_path / "srv")
    try:
        server.start()
    except RuntimeError as e:
        text = str(e)
        assert "exited 1" in text, text
        errors = [ln for ln in text.splitlines() if ln.startswith("Error: ")]
        assert len(errors) == 1 and "runtime dir" in errors[0], text
        assert not planted.exists()
        return
    try:
        env = Env(server, tmp_path)
        env.deploy("p", project("p", "def main(event):\n    print('hi')\n"))
        sid = env.start("p", "program.py:main")
        env.wait_final(sid)
    finally:
        server.stop()
    assert not planted.exists(), "code planted in the runtime dir ran in the runner"


def test_runtime_dir_of_another_user_is_refused(
    tmp_path: Path, runtime_dir: Path
) -> None:
    r = as_nobody(
        "sh",
        "-c",
        f'mkdir -m 0777 "{runtime_dir}" && mkdir -m 0777 "{runtime_dir}/stage"'
        f' && printf "%s" "{PLANT}" > "{runtime_dir}/stage/sitecustomize.py"',
    )
    assert r.returncode == 0, r.stderr
    assert runtime_dir.stat().st_uid == 65534
    _refused_or_unused(tmp_path, runtime_dir / "stage" / "pwned")


def test_world_writable_runtime_dir_is_refused(
    tmp_path: Path, runtime_dir: Path
) -> None:
    (runtime_dir / "stage").mkdir(parents=True)
    os.chmod(runtime_dir, 0o777)
    (runtime_dir / "stage" / "sitecustomize.py").write_text(PLANT)
    _refused_or_unused(tmp_path, runtime_dir / "stage" / "pwned")


def test_symlinked_runtime_dir_is_refused(tmp_path: Path, runtime_dir: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "stage").mkdir(parents=True)
    os.chmod(elsewhere, 0o700)
    (elsewhere / "stage" / "sitecustomize.py").write_text(PLANT)
    runtime_dir.symlink_to(elsewhere)
    _refused_or_unused(tmp_path, elsewhere / "stage" / "pwned")


def test_xdg_runtime_dir_is_used_when_private(tmp_path: Path) -> None:
    # Short, as /run/user/<uid>: socket paths under it must fit in 107 bytes.
    xdg = Path(tempfile.mkdtemp(prefix="akx"))
    server = make_server(tmp_path / "srv")
    server.extra_env["XDG_RUNTIME_DIR"] = str(xdg)
    server.start()
    try:
        env = Env(server, tmp_path)
        env.deploy("p", project("p", "def main(event):\n    print('hi')\n"))
        env.wait_final(env.start("p", "program.py:main"))
        mine = [p for p in xdg.iterdir() if p.name.startswith("ak-")]
        assert len(mine) == 1, (list(xdg.iterdir()), server.log.read_text())
        assert (mine[0].stat().st_mode & 0o777) == 0o700
        assert (mine[0] / "stage").is_dir()
    finally:
        server.stop()
    shutil.rmtree(xdg, ignore_errors=True)
