"""Helpers of the security suite: a second uid, the server's runtime dir.

Hostile-user tests play another local account (``nobody``, uid 65534) with
``setpriv``; they need root and skip with the reason elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from akcli.paths import Paths
from tests.faults.conftest import Env, env, make_server  # noqa: F401 (fixture)
from tests.server import AkServer

NOBODY = 65534


def need_second_uid() -> None:
    if os.getuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to act as a second user (uid 65534)")


def as_nobody(*cmd: str, cwd: str = "/") -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` as uid/gid 65534 with no supplementary groups."""
    need_second_uid()
    return subprocess.run(
        [
            "setpriv",
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            *cmd,
        ],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=30,
    )


def server_paths(server: AkServer) -> Paths:
    """The Paths the server subprocess uses (same XDG homes, same environment)."""
    return Paths(
        config_home=server.home / "xdg_config_home" / "autokitteh",
        data_home=server.home / "xdg_data_home" / "autokitteh",
        cache_home=server.home / "xdg_cache_home" / "autokitteh",
    )


def project(name: str, program: str) -> dict[str, str]:
    """A one-file project: ``program.py`` with the manifest naming it."""
    manifest = f"version: v2\nproject:\n  name: {name}\n"
    return {"autokitteh.yaml": manifest, "program.py": program}


def private_runtime_dir(server: AkServer) -> Path:
    """The server's runtime dir, created 0700 by us as the server would."""
    path = server_paths(server).runtime_dir
    path.mkdir(mode=0o700, exist_ok=True)
    return path
