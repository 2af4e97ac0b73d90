"""The default venv as a user gets it (real `ak up`, managed venvs, fresh XDG
homes): kittehub's usual imports work with no requirements.txt; a project's
requirements.txt venv adds its own lines over the default set; ak's `autokitteh`
SDK is importable in every managed venv and in the environment ak is installed
in, and an `autokitteh` line in requirements.txt never shadows it.

The default venv itself is built once per test run (`default_venv`, cached
across runs); the project venv (`humanize`) is built here for real.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, run_ak
from tests.e2e.conftest import link_default_venv
from tests.server import AkServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]

SDK = REPO / "runner" / "autokitteh"
MANIFEST = """version: v2
project:
  name: {name}
  triggers:
    - name: hook
      webhook: {{}}
      call: main.py:main
"""
KITTEHUB_IMPORTS = """import boto3, bs4, github, openai, requests, slack_sdk, yaml

def main(event=None):
    print("imported", requests.__name__, slack_sdk.__name__, openai.__name__,
          github.__name__, boto3.__name__, yaml.__name__, bs4.__name__)
"""
LAYERED = """import os, autokitteh, humanize, requests

def main(event=None):
    print("humanize", humanize.intcomma(1234567), "requests", requests.__name__)
    print("sdk", os.path.realpath(autokitteh.__file__))
"""
# Every module of our SDK (whichever exist in this checkout) and AttrDict.
IMPORT_SDK = (
    "import {}; from autokitteh import AttrDict; print(AttrDict(a=1).a)".format(
        ", ".join(
            ["autokitteh"]
            + [f"autokitteh.{m.name}" for m in pkgutil.iter_modules([str(SDK)])]
        )
    )
)


@pytest.fixture
def server(tmp_path: Path, default_venv: Path) -> Iterator[AkServer]:
    home = tmp_path / "srv"
    link_default_venv(home / "xdg_data_home", default_venv)
    srv = AkServer(home, env={"AK_WORKER_PYTHON": ""}).start()
    try:
        yield srv
    finally:
        srv.stop()


def deploy_and_run(server: AkServer, proj: Path, name: str, code: str) -> str:
    proj.mkdir(exist_ok=True)
    (proj / "autokitteh.yaml").write_text(MANIFEST.format(name=name))
    (proj / "main.py").write_text(code)
    r = run_ak("deploy", cwd=proj, env=server.env, timeout=300)
    assert r.exit_code == 0, r.stderr
    r = run_ak(
        "session", "start", "-o", name, "-p", "main.py:main", "-w", "-q",
        "-t", "120s", env=server.env, timeout=180,
    )  # fmt: skip
    prints = run_ak("session", "prints", name, "--no-timestamps", env=server.env)
    listed = run_ak("session", "list", "-p", name, "-j", env=server.env).stdout
    assert r.exit_code == 0, r.stderr + prints.stdout + listed
    r = run_ak("session", "list", "-p", name, "-j", env=server.env)
    assert '"SESSION_STATE_TYPE_COMPLETED"' in r.stdout, r.stdout
    assert prints.exit_code == 0, prints.stderr
    return prints.stdout


def test_kittehub_imports_without_requirements(
    server: AkServer, tmp_path: Path
) -> None:
    out = deploy_and_run(server, tmp_path / "p", "kittehub", KITTEHUB_IMPORTS)
    assert "imported requests slack_sdk openai github boto3 yaml bs4" in out


def test_requirements_layer_over_the_default_venv(
    server: AkServer, tmp_path: Path
) -> None:
    proj = tmp_path / "p"
    proj.mkdir()
    # tictactoe's requirements.txt names autokitteh: PyPI's SDK is not installed.
    (proj / "requirements.txt").write_text("humanize\nautokitteh>=0.8\n")
    out = deploy_and_run(server, proj, "layered", LAYERED)
    assert "humanize 1,234,567 requests requests" in out
    assert f"sdk {SDK}/__init__.py" in out
    venvs = server.home / "xdg_data_home" / "autokitteh" / "venvs"
    (project,) = [
        p for p in venvs.iterdir() if p.name not in ("default",) and p.is_dir()
    ]
    own = {
        p.name.split("-")[0].lower()
        for p in project.glob("lib/*/site-packages/*.dist-info")
    }
    assert "humanize" in own
    # requests from the default venv, autokitteh ours; pip is the default venv's.
    assert not {"requests", "autokitteh", "pip"} & own
    for python in (project / "bin" / "python", venvs / "default" / "bin" / "python"):
        r = subprocess.run([str(python), "-c", IMPORT_SDK], cwd=tmp_path,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
        assert (r.returncode, r.stdout) == (0, "1\n"), r.stderr


def test_sdk_importable_where_ak_is_installed(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-c", IMPORT_SDK + "; print(autokitteh.__file__)"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"1\n{SDK}/__init__.py\n"
