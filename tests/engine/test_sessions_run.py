"""The engine runs CREATED sessions in real runner processes and records outcomes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from akcli.server.state import Server
from tests.engine.conftest import (
    deploy,
    log_records,
    prints,
    run_with_engine,
    start,
    wait_final,
)

pytestmark = pytest.mark.usefixtures("worker_python")

PROGRAM = """
import random
import time

print("module level")

def main(event):
    print("hello", event.data.get("n"))
    x = random.random()
    time.sleep(0.05)
    print("after sleep")
    return {"ok": True, "n": event.data.get("n")}

def boom(event):
    raise ValueError("nope")

def env(event):
    import os
    print(os.environ.get("GREETING"), os.environ.get("SECRET_TOKEN"))
"""


@pytest.mark.parametrize("durable", [True, False])
def test_completes_with_prints_and_return_value(tmp_path: Path, durable: bool) -> None:
    async def body(srv: Server) -> None:
        ids = deploy(srv, {"main.py": PROGRAM})
        sid = start(srv, ids, "main.py:main", durable=durable, inputs={"n": 7})
        row = await wait_final(srv, sid)
        assert row["state"] == "completed", row["error"]
        assert json.loads(row["return_value"]) == {"ok": True, "n": 7}
        assert prints(srv, sid) == ["module level", "hello 7", "after sleep"]
        names = [
            r["name"]
            for r in srv.db.all(
                "SELECT name FROM journal WHERE session_id = ? ORDER BY seq", sid
            )
        ]
        assert names == (["random", "sleep"] if durable else [])
        records = log_records(srv, sid)
        specs = [
            r["call_spec"]["function"]["name"] for r in records if "call_spec" in r
        ]
        assert specs == (["random"] if durable else [])
        assert list(records[0]) == ["state"] and "created" in records[0]["state"]
        assert "completed" in records[-1]["state"]

    run_with_engine(tmp_path, body)


def test_uncaught_exception_is_error_with_traceback(tmp_path: Path) -> None:
    async def body(srv: Server) -> None:
        sid = start(srv, deploy(srv, {"main.py": PROGRAM}), "main.py:boom")
        row = await wait_final(srv, sid)
        assert row["state"] == "error"
        assert row["error"].startswith("error: ValueError('nope')")
        assert 'File "' in row["error"] and "raise ValueError" in row["error"]

    run_with_engine(tmp_path, body)


def test_vars_and_secrets_reach_the_environment(tmp_path: Path) -> None:
    async def body(srv: Server) -> None:
        ids = deploy(srv, {"main.py": PROGRAM})
        with srv.db.tx() as c:
            c.execute(
                "INSERT INTO vars VALUES (?, 'GREETING', 'meow', 0, '')", (ids[0],)
            )
            c.execute(
                "INSERT INTO vars VALUES (?, 'SECRET_TOKEN', ?, 1, '')",
                (ids[0], srv.cipher.encrypt("s3cr3t")),
            )
        sid = start(srv, ids, "main.py:env", durable=False)
        row = await wait_final(srv, sid)
        assert row["state"] == "completed", row["error"]
        assert prints(srv, sid) == ["module level", "meow s3cr3t"]

    run_with_engine(tmp_path, body)


def test_missing_build_fails_cleanly(tmp_path: Path) -> None:
    async def body(srv: Server) -> None:
        ids = deploy(srv, {"main.py": PROGRAM})
        sid = start(srv, (ids[0], "bld_missing", ids[2]), "main.py:main")
        row = await wait_final(srv, sid)
        assert row["state"] == "error"
        assert "build bld_missing not found" in row["error"]

    run_with_engine(tmp_path, body)


SLOW = """
import autokitteh, time

@autokitteh.activity
def slow():
    time.sleep(1.5)

def main(event):
    slow()
"""


def test_running_activity_call_spec_visible_before_it_ends(tmp_path: Path) -> None:
    """Call specs join the journal commit, but a long activity shows up at once."""

    async def body(srv: Server) -> None:
        import asyncio

        sid = start(srv, deploy(srv, {"main.py": SLOW}), "main.py:main")
        seen_running = False
        for _ in range(100):
            rows = srv.db.all(
                "SELECT record FROM session_logs WHERE session_id = ?", sid
            )
            if any("call_spec" in json.loads(r["record"]) for r in rows):
                journal = srv.db.one("SELECT 1 FROM journal WHERE session_id = ?", sid)
                seen_running = journal is None
                break
            await asyncio.sleep(0.05)
        assert seen_running, "call_spec not visible while the activity ran"
        row = await wait_final(srv, sid)
        assert row["state"] == "completed", row["error"]

    run_with_engine(tmp_path, body)


WRITER = """
import os

def main(event):
    here = os.getcwd()
    before = open("data.txt").read()
    with open("data.txt", "w") as f:  # private: the next session sees the original
        f.write("changed by " + event.data["n"])
    return {"cwd": here, "before": before}
"""


@pytest.mark.parametrize("files", [1, 40], ids=["small-build", "large-build"])
def test_each_session_has_a_private_code_dir_removed_after(
    tmp_path: Path, files: int
) -> None:
    project = {"main.py": WRITER, "data.txt": "original"}
    project.update({f"extra{i}.py": "" for i in range(files)})  # 40: threaded path

    async def body(srv: Server) -> None:
        ids = deploy(srv, project)
        dirs = []
        for n in ("1", "2", "3"):
            sid = start(srv, ids, "main.py:main", durable=False, inputs={"n": n})
            row = await wait_final(srv, sid)
            assert row["state"] == "completed", row["error"]
            value = json.loads(row["return_value"])
            assert value["before"] == "original"
            dirs.append(value["cwd"])
        assert len(set(dirs)) == 3
        root = os.path.realpath(srv.paths.runtime_dir / f"code-{os.getpid()}")
        assert all(os.path.dirname(d) == root for d in dirs)
        for _ in range(40):  # removal is not waited for on the threaded path
            if not any(Path(d).exists() for d in dirs):
                break
            await asyncio.sleep(0.05)
        assert [d for d in dirs if Path(d).exists()] == []

    run_with_engine(tmp_path, body)


def test_code_dirs_of_dead_servers_are_removed_at_start(tmp_path: Path) -> None:
    from akcli.engine.code_dirs import code_root as _code_root

    rt = tmp_path / "rt"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])  # exited, not reaped
    while Path(f"/proc/{zombie.pid}/stat").read_text().split(") ")[1][0] != "Z":
        time.sleep(0.01)
    stale = rt / f"code-{dead.pid}" / "ak-user-x"
    (rt / f"code-{zombie.pid}").mkdir(parents=True)
    stale.mkdir(parents=True)
    (stale / "main.py").write_text("print(1)")
    live = rt / f"code-{os.getppid()}" / "ak-user-y"  # another server, still up
    live.mkdir(parents=True)
    other = rt / "stage"
    other.mkdir()
    root = _code_root(rt)
    assert root == str(rt / f"code-{os.getpid()}") and os.path.isdir(root)
    assert not (rt / f"code-{dead.pid}").exists()
    assert not (rt / f"code-{zombie.pid}").exists()
    zombie.wait()
    assert live.is_dir() and other.is_dir()
