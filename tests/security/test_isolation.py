"""Issue 11 item 10: user code cannot see the server's files.

A handler runs as the server's user; it used to read ``secret.key``, the API
token, other projects' secrets and the SQLite file (and could forge another
session's state in it). Runners now hide the data home, config home and
runtime dir (runner/isolate.py) where the kernel allows user namespaces;
elsewhere this test skips with the reason.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from runner import isolate
from tests.faults.conftest import Env
from tests.security.conftest import project, server_paths

pytestmark = pytest.mark.faults

PROBE = r"""
import glob
import json
import os

TARGETS = json.loads(%r)


def probe(event):
    seen = {}
    for name, path in TARGETS.items():
        try:
            with open(path, "rb") as f:
                seen[name] = "read %%d bytes" %% len(f.read())
        except OSError as e:
            seen[name] = type(e).__name__
    seen["sockets"] = len(glob.glob(TARGETS["runtime"] + "/*.sock"))
    try:
        os.listdir("/proc/%%d/root/" %% TARGETS["server_pid"])
        seen["server_root"] = "listed"
    except OSError as e:
        seen["server_root"] = type(e).__name__
    with open("own.txt", "w") as f:  # the session's own code dir stays writable
        f.write("ok")
    import autokitteh  # the SDK (the stage) is still importable

    seen["sdk"] = bool(autokitteh.Event)
    print(json.dumps(seen))
"""


def _isolation_works() -> str:
    """Try it in a forked child; "" when it works, else the reason."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        why = isolate.apply({"hide": ["/nonexistent"], "keep_rw": [], "keep_ro": []})
        os.write(w, why.encode() or b"ok")
        os._exit(0)
    os.close(w)
    out = os.read(r, 4096).decode()
    os.close(r)
    os.waitpid(pid, 0)
    return "" if out == "ok" else out


def test_runner_cannot_read_the_servers_files(env: Env) -> None:
    why = _isolation_works()
    if why and not why.startswith("partly"):
        pytest.skip(f"runner isolation unavailable here: {why}")
    paths = server_paths(env.server)
    assert env.server.proc is not None
    targets = {
        "db": str(paths.db_file),
        "secret_key": str(paths.secret_key_file),
        "token": str(paths.credentials_file),
        "runtime": str(paths.runtime_dir),
        "server_pid": env.server.proc.pid,
    }
    env.deploy("p", project("p", PROBE % json.dumps(targets)))
    env.ok("var", "set", "-p", "p", "--secret", "K", "v")  # secret.key exists
    assert Path(targets["secret_key"]).exists() and Path(targets["db"]).exists()
    sid = env.start("p", "program.py:probe")
    row = env.wait_final(sid)
    assert row["state"] == "completed", row["error"]
    with env.db() as db:
        (text,) = db.execute(
            "SELECT text FROM session_prints WHERE session_id = ?", (sid,)
        ).fetchone()
    seen = json.loads(text)
    for name in ("db", "secret_key", "token"):
        assert not seen[name].startswith("read"), seen
    assert seen["sockets"] == 0, seen
    assert seen["sdk"] is True
    if not why:  # Landlock too: the server's /proc/<pid>/root is closed
        assert seen["server_root"] != "listed", seen
