"""The helpers with no third-party package installed: they import, and a missing
key is reported before any package is needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import runner

# helper call -> the `ak connection set` keys its ConnectionInitError names.
CALLS = {
    "slack.slack_client('c')": "oauth_access_token=...",
    "github.github_client('c')": "pat=...",
}

PROBE = """
import importlib, json, sys
out = {}
for call in json.loads(sys.argv[1]):
    mod = importlib.import_module("autokitteh." + call.split(".")[0])
    try:
        eval("mod." + call.split(".", 1)[1])
    except Exception as e:
        out[call] = type(e).__name__ + ": " + str(e)
print(json.dumps(out))
"""


def test_missing_keys_without_packages(tmp_path: Path) -> None:
    pkg = os.path.dirname(os.path.abspath(runner.__file__))
    (tmp_path / "autokitteh").symlink_to(os.path.join(pkg, "autokitteh"))
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path)}
    env["AK_PROJECT_NAME"] = "proj"
    out = subprocess.run(
        [sys.executable, "-S", "-c", PROBE, json.dumps(list(CALLS))],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    got = json.loads(out)
    want = {
        call: "ConnectionInitError: AutoKitteh connection 'c' not initialized; "
        f"run: ak connection set proj/c {keys}"
        for call, keys in CALLS.items()
    }
    assert got == want
