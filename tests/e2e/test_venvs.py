"""Managed venvs at deploy time: a bad requirements.txt fails `ak deploy` with
pip's error and changes nothing; a good one is built once and used by sessions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_ak
from tests.server import AkServer

pytestmark = pytest.mark.e2e

MANIFEST = """version: v2
project:
  name: rq
  triggers:
    - name: hook
      webhook: {}
      call: main.py:main
"""


def test_failed_install_fails_deploy_and_changes_nothing(tmp_path: Path) -> None:
    # A minimal default venv: this test is about the requirements.txt step.
    env = {"AK_WORKER_PYTHON": "", "AK_PYTHONRT__DEFAULT_REQUIREMENTS": "[]"}
    server = AkServer(tmp_path / "srv", env=env).start()
    try:
        proj = tmp_path / "proj"
        proj.mkdir()
        (proj / "autokitteh.yaml").write_text(MANIFEST)
        (proj / "main.py").write_text("def main(e):\n    pass\n")
        (proj / "requirements.txt").write_text("nonexistent-pkg-zzz-ak==9.9\n")
        r = run_ak("deploy", cwd=proj, env=server.env, timeout=300)
        assert r.exit_code == 1
        assert "Error: installing requirements.txt failed:" in r.stderr
        assert "nonexistent-pkg-zzz-ak" in r.stderr
        assert run_ak("project", "list", env=server.env).stdout == ""
        venvs = tmp_path / "srv" / "xdg_data_home" / "autokitteh" / "venvs"
        assert not any(p.name != "default" and p.is_dir() for p in venvs.iterdir())
    finally:
        server.stop()


def test_worker_python_must_be_311(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'Python 3.10.12'\n")
    fake.chmod(0o755)
    from akcli.errors import AkError
    from akcli.paths import Paths
    from akcli.venvs import python_for

    paths = Paths(tmp_path / "c", tmp_path / "d", tmp_path / "k")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AK_WORKER_PYTHON", str(fake))
        with pytest.raises(
            AkError, match=r'^python >= 3.11 required, found "Python 3.10.12"$'
        ):
            python_for(paths, None)
