"""Managed venvs without a package index: the default set and its config key,
`autokitteh` lines, minimal venvs, layering over the default venv (local
wheels), pip output turned into progress steps, waiting for another builder."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from akcli.config import Config
from akcli.errors import AkError
from akcli.paths import Paths
from akcli.venv_build import Step, pip_install
from akcli.venvs import (
    DEFAULTS_FILE,
    _lock,
    default_requirements,
    is_complete,
    project_lines,
    python_for,
    venv_dir,
)
from tests.conftest import REPO

SDK = REPO / "runner" / "autokitteh"
IMPORT_SDK = (
    "import os, autokitteh; from autokitteh import AttrDict;"
    " print(AttrDict(a=1).a, os.path.realpath(autokitteh.__file__))"
)


def paths_in(tmp: Path) -> Paths:
    return Paths(tmp / "cfg", tmp / "data", tmp / "cache")


def test_default_set_is_upstreams_all_extra_minus_the_unused() -> None:
    lines = default_requirements()
    names = {ln.split("~=")[0].lower() for ln in lines}
    assert all("~=" in ln for ln in lines), lines  # compatible-release pins
    for name in ("requests", "slack-sdk", "openai", "pygithub", "boto3", "pyyaml"):
        assert name in names
    assert "beautifulsoup4" in names and "google-api-python-client" in names
    for gone in ("msgraph-sdk", "kubernetes", "simple-salesforce", "pyairtable"):
        assert gone not in names
    assert not {"azure-identity", "grpcio", "grpcio-reflection", "pydantic-ai"} & names
    assert len(lines) == 26
    assert DEFAULTS_FILE.read_text().count("\n") > len(lines)  # with its comment


def test_config_key_replaces_the_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = paths_in(tmp_path)
    p.config_home.mkdir(parents=True)
    p.config_file.write_text("pythonrt:\n  default_requirements: []\n")
    assert default_requirements(Config.load(p)) == []
    p.config_file.write_text("pythonrt:\n  default_requirements: [six, 'a>=1,<2']\n")
    assert default_requirements(Config.load(p)) == ["six", "a>=1,<2"]
    monkeypatch.setenv("AK_PYTHONRT__DEFAULT_REQUIREMENTS", "six humanize~=4.0")
    assert default_requirements(Config.load(p)) == ["six", "humanize~=4.0"]
    monkeypatch.setenv("AK_PYTHONRT__DEFAULT_REQUIREMENTS", "{a: 1}")
    with pytest.raises(AkError, match="pythonrt.default_requirements.*expected a list"):
        default_requirements(Config.load(p))


def test_autokitteh_lines_are_never_installed(tmp_path: Path) -> None:
    req = "# game\nAutoKitteh[all]>=0.8\nautokitteh\nhumanize\n autokitteh ; python_version>'3'\n"
    assert project_lines(req) == ["humanize"]
    p = paths_in(tmp_path)
    # Only our SDK asked for (tictactoe): the default venv serves it.
    assert venv_dir(p, "autokitteh\n").name == "default"
    assert venv_dir(p, "six\n").name == hashlib.sha256(b"six\n").hexdigest()


def test_minimal_default_venv_has_the_sdk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AK_WORKER_PYTHON", raising=False)
    p = paths_in(tmp_path)
    steps: list[Step] = []
    python = python_for(p, None, steps.append, [])
    assert [(s.phase, s.done) for s in steps] == [("virtualenv", 0), ("virtualenv", 1)]
    assert is_complete(p.venvs_dir / "default", [])
    assert not is_complete(p.venvs_dir / "default", ["six"])  # other set: rebuilt
    r = subprocess.run(
        [python, "-c", IMPORT_SDK], cwd=tmp_path, capture_output=True, text=True
    )
    assert r.stdout == f"1 {SDK}/__init__.py\n", r.stderr
    steps.clear()
    assert python_for(p, None, steps.append, []) == python
    assert steps == []  # built once


def wheel(dist: Path, name: str, version: str, code: str) -> Path:
    """A pure-Python wheel with one module `name` (pip installs it offline)."""
    path = dist / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}.py": code,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for fname, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest())
        record.append(f"{fname},sha256={digest.rstrip(b'=').decode()},{len(text)}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    with zipfile.ZipFile(path, "w") as z:
        for fname, text in files.items():
            z.writestr(fname, text)
    return path


@pytest.mark.slow  # two real venvs with pip (~10 s)
@pytest.mark.timeout(120)
def test_project_venv_layers_over_the_default_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AK_WORKER_PYTHON", raising=False)
    dist = tmp_path / "dist"
    dist.mkdir()
    base1 = wheel(dist, "akbase", "1.0", "V = 1\n")
    base2 = wheel(dist, "akbase", "2.0", "V = 2\n")
    extra = wheel(dist, "akextra", "1.0", "X = 'x'\n")
    defaults = ["--no-index", str(base1), str(wheel(dist, "akother", "1.0", "O = 1\n"))]
    p = paths_in(tmp_path)
    python_for(p, None, None, defaults)
    req = f"--no-index\n{base2}\n{extra}\nautokitteh\n"
    steps: list[Step] = []
    python = python_for(p, req, steps.append, defaults)
    code = "import akbase, akextra, akother; print(akbase.V, akextra.X, akother.O)"
    r = subprocess.run([python, "-c", code], capture_output=True, text=True)
    assert r.stdout == "2 x 1\n", r.stderr  # the project's own akbase wins
    r = subprocess.run([python, "-c", IMPORT_SDK], cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert r.stdout == f"1 {SDK}/__init__.py\n", r.stderr
    own = {d.name for d in Path(python).parents[1].glob("lib/*/site-packages/ak*")}
    assert "akother-1.0.dist-info" not in own and "akbase-2.0.dist-info" in own
    assert ("installing", 2, 2) in [(s.phase, s.done, s.total) for s in steps]
    assert {s.venv for s in steps} == {venv_dir(p, req).name}


FAKE_PIP = """#!{python}
import sys, time, pathlib
site = pathlib.Path(sys.argv[0]).parents[1] / "lib" / "python{v}" / "site-packages"
for line in {lines!r}:
    print(line, flush=True)
    if line.startswith("Installing"):
        for name in ("a", "b", "c"):
            (site / f"{{name}}-1.dist-info").mkdir()
            time.sleep(0.05)
sys.exit({rc})
"""


def fake_venv(tmp: Path, lines: list[str], rc: int = 0) -> Path:
    v = f"{sys.version_info.major}.{sys.version_info.minor}"
    (tmp / "lib" / f"python{v}" / "site-packages").mkdir(parents=True)
    (tmp / "bin").mkdir()
    script = tmp / "bin" / "python"
    script.write_text(FAKE_PIP.format(python=sys.executable, v=v, lines=lines, rc=rc))
    script.chmod(0o755)
    return tmp


def test_pip_output_becomes_phases_and_counts(tmp_path: Path) -> None:
    venv = fake_venv(
        tmp_path,
        [
            "Collecting requests~=2.32 (from -r r.txt (line 1))",
            "  Using cached requests-2.32.0-py3-none-any.whl",
            "Collecting urllib3<3,>=1.21.1 (from requests~=2.32)",
            "Collecting urllib3<3,>=1.21.1 (from requests~=2.32)",  # backtracking
            "Processing /opt/wheels/idna-3.7-py3-none-any.whl (from requests)",
            "Installing collected packages: idna, urllib3, requests",
            "Successfully installed idna-3.7 requests-2.32.0 urllib3-2.2",
        ],
    )
    steps: list[Step] = []
    pip_install(venv, tmp_path / "r.txt", "the default packages", steps.append)
    resolving = [s for s in steps if s.phase == "resolving"]
    assert [s.done for s in resolving][:4] == [0, 1, 2, 2]
    assert resolving[-1] == Step("resolving", 3, 3, "1 cached")
    installing = [s.done for s in steps if s.phase == "installing"]
    assert installing == sorted(installing) and installing[-1] == 3
    assert steps[-1] == Step("installing", 3, 3)


def test_pip_failure_names_pips_error(tmp_path: Path) -> None:
    venv = fake_venv(
        tmp_path,
        [
            "Collecting zzz-nope==9",
            "ERROR: Could not find a version that satisfies the requirement zzz-nope==9",
            "ERROR: No matching distribution found for zzz-nope==9",
        ],
        rc=1,
    )
    with pytest.raises(AkError) as e:
        pip_install(venv, tmp_path / "r.txt", "requirements.txt", lambda _: None)
    assert str(e.value) == (
        "installing requirements.txt failed:\n"
        "ERROR: Could not find a version that satisfies the requirement zzz-nope==9\n"
        "ERROR: No matching distribution found for zzz-nope==9"
    )


def test_waiting_for_another_builder_shows_its_steps(tmp_path: Path) -> None:
    lock_file, status = tmp_path / ".default.lock", tmp_path / ".default.status"
    status.write_text(json.dumps({"phase": "installing", "done": 7, "total": 85}))
    seen: list[Step] = []
    with open(lock_file, "w") as builder, open(lock_file, "w") as waiter:
        import fcntl

        fcntl.flock(builder.fileno(), fcntl.LOCK_EX)
        t = threading.Thread(target=_lock, args=(waiter.fileno(), status, seen.append))
        t.start()
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert t.is_alive()  # still waiting for the lock
        fcntl.flock(builder.fileno(), fcntl.LOCK_UN)
        t.join(10)
    assert not t.is_alive()
    assert seen[0] == Step("installing", 7, 85)
