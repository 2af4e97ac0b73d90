"""The runner and its SDK import nothing outside the standard library.

That includes every SDK module (the integration client helpers import their
third-party packages inside the functions that need them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import runner

PROBE = """
import importlib, json, pkgutil, sys
import runner.main, runner.zygote, autokitteh
for info in pkgutil.iter_modules(autokitteh.__path__):
    importlib.import_module("autokitteh." + info.name)
mods = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps(mods))
"""


def test_runner_imports_only_stdlib(tmp_path: Path) -> None:
    pkg = os.path.dirname(os.path.abspath(runner.__file__))
    stage = tmp_path / "stage"
    stage.mkdir()
    (stage / "runner").symlink_to(pkg)
    (stage / "autokitteh").symlink_to(os.path.join(pkg, "autokitteh"))
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(stage)}
    out = subprocess.run(
        [sys.executable, "-S", "-c", PROBE],
        env=env,
        cwd=stage,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    mods = json.loads(out)
    ours = {"runner", "autokitteh", "__main__"}
    foreign = [m for m in mods if m not in sys.stdlib_module_names and m not in ours]
    assert foreign == []
