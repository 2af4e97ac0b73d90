"""`ak session replay`: a finished durable session re-run here from its journal.

The session ran for real (`ak up` subprocess, real runner): its breakpoint()
only printed a hint. The replay runs in a pty like a terminal: pdb stops at
breakpoint(), `n` over an activity returns the journaled value and the
activity's side effect (a line in a file) does not happen again.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_ak
from tests.server import AkServer

pytestmark = pytest.mark.e2e

PROGRAM = """\
import autokitteh

OUT = {out!r}


@autokitteh.activity
def step(i):
    with open(OUT, "a") as f:
        f.write(f"{{i}}\\n")
    return i * 10


def main(event):
    a = step(1)
    breakpoint()
    b = step(2)
    print("sum", a + b)
    return a + b
"""

MANIFEST = """\
version: v1
project:
  name: replayme
"""


def _deploy(server: AkServer, tmp: Path, out: Path) -> tuple[str, str]:
    proj = tmp / "proj"
    proj.mkdir()
    (proj / "autokitteh.yaml").write_text(MANIFEST)
    (proj / "main.py").write_text(PROGRAM.format(out=str(out)))
    r = run_ak(
        "deploy", "-m", str(proj / "autokitteh.yaml"), "--strict", env=server.env
    )
    assert r.exit_code == 1
    assert r.stderr.splitlines()[-1] == (
        "Error: ak check: 1 finding(s) (--strict); nothing deployed"
    )
    assert run_ak("project", "get", "replayme", env=server.env).stdout == ""
    r = run_ak("deploy", "-m", str(proj / "autokitteh.yaml"), env=server.env)
    assert r.exit_code == 0, r.stderr
    assert "AK106 breakpoint() in session code" in r.stderr  # ak check's warning
    r = run_ak(
        "session",
        "start",
        "-o",
        "replayme",
        "-p",
        "main.py:main",
        "-D",
        "-w",
        "-n",
        env=server.env,
    )
    assert r.exit_code == 0, r.stderr
    sid = run_ak("session", "get", "replayme", "-j", env=server.env).stdout
    return json.loads(sid)["session"]["session_id"], r.stdout


class Pty:
    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
        )
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} not seen in:\n{self.seen}"
            if select.select([self.master], [], [], left)[0]:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    data = b""
                assert data, f"EOF before {text!r} in:\n{self.seen}"
                self.seen += data.decode(errors="replace").replace("\r\n", "\n")
        at = self.seen.index(text) + len(text)
        before, self.seen = self.seen[:at], self.seen[at:]
        return before

    def send(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")


def test_replay_under_pdb_returns_journaled_values(tmp_path: Path) -> None:
    server = AkServer(tmp_path / "server").start()
    try:
        out = tmp_path / "side-effects.txt"
        sid, watched = _deploy(server, tmp_path, out)
        assert out.read_text() == "1\n2\n"
        prints = run_ak("session", "prints", sid, "-n", env=server.env).stdout
        assert prints.splitlines()[0] == (
            "breakpoint() at main.py:15 ignored: debug this session with"
            " `ak session replay <session_id> --pdb`"
        )
        assert "sum 30" in prints  # the session went on: no BdbQuit

        p = Pty(
            [sys.executable, "-m", "akcli", "session", "replay", sid, "--pdb"],
            {**os.environ, **server.env},
        )
        p.expect("2 journal entries")
        p.expect("b = step(2)")
        p.expect("(Pdb) ")
        p.send("n")
        p.expect("(Pdb) ")
        p.send("p a, b")
        assert "(10, 20)" in p.expect("(Pdb) ")
        p.send("c")
        p.expect("sum 30")
        p.expect("completed (2 journaled); return value: 30")
        assert p.proc.wait(30) == 0
        assert out.read_text() == "1\n2\n"  # no activity ran again

        # --until 1: the replay stops before seq 2 (breakpoint() only hints).
        r = run_ak("session", "replay", sid, "--until", "1", env=server.env)
        assert r.exit_code == 0, r.stderr
        assert "breakpoint() at main.py:15 ignored" in r.stdout
        assert "stopped before seq 2 (step): --until 1" in r.stderr
        assert out.read_text() == "1\n2\n"
    finally:
        server.stop()


SLEEPER = """\
import time

import autokitteh

OUT = {out!r}


@autokitteh.activity
def step(i):
    with open(OUT, "a") as f:
        f.write(f"{{i}}\\n")
    return i * 10


def main(event):
    a = step(1)
    time.sleep(3600)
    b = step(2)
    print("sum", a + b)
    return a + b
"""


def test_replay_stops_at_the_journal_end_or_goes_on_live(tmp_path: Path) -> None:
    server = AkServer(tmp_path / "server").start()
    try:
        out = tmp_path / "side-effects.txt"
        proj = tmp_path / "proj"
        proj.mkdir()
        (proj / "autokitteh.yaml").write_text(MANIFEST)
        (proj / "main.py").write_text(SLEEPER.format(out=str(out)))
        r = run_ak("deploy", "-m", str(proj / "autokitteh.yaml"), env=server.env)
        assert r.exit_code == 0, r.stderr
        r = run_ak(
            "session",
            "start",
            "-o",
            "replayme",
            "-p",
            "main.py:main",
            "-D",
            env=server.env,
        )
        sid = r.stdout.split()[-1]
        deadline = time.monotonic() + 30
        while True:  # until the sleep is journaled (it is not in the session log)
            r = run_ak("session", "replay", sid, env=server.env)
            if "2 journal entries" in r.stderr:  # step(1), sleep
                break
            assert time.monotonic() < deadline, "the session never slept"
            time.sleep(0.2)
        assert r.exit_code == 0, r.stderr
        assert "end of the journal: seq 3 (step) was never recorded" in r.stderr
        assert out.read_text() == "1\n"

        # --live: the sleep is replayed (no wait), step(2) runs here for real.
        r = run_ak("session", "replay", sid, "--live", env=server.env, timeout=30)
        assert r.exit_code == 0, r.stderr
        assert r.stdout == "sum 30\n"
        assert "completed (2 journaled); return value: 30" in r.stderr
        assert out.read_text() == "1\n2\n"
        state = json.loads(run_ak("session", "get", sid, "-j", env=server.env).stdout)
        assert state["session"]["state"] == "SESSION_STATE_TYPE_RUNNING"
    finally:
        server.stop()
