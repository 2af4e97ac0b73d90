"""runner.replay on its own: a journal in a file, no server, a real subprocess."""

from __future__ import annotations

import base64
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

from akcli.engine.runner_pool import runner_package_dir

PROGRAM = """\
import autokitteh

@autokitteh.activity
def step(i):
    raise AssertionError("a journaled activity ran")

@autokitteh.activity
def other(i):
    return i

def main(event):
    a = step(1)
    print("a =", a)
    try:
        step(2)
    except KeyError as e:
        print("recorded error:", e)
    return a
"""


def _entry(seq: int, name: str, value: object, exc: BaseException | None = None):
    data = base64.b64encode(pickle.dumps((value, exc))).decode()
    return {
        "seq": seq,
        "name": name,
        "kind": "pickle",
        "value": data,
        "is_error": exc is not None,
    }


def _replay(tmp: Path, source: str, journal: list[dict], *flags: str):
    code = tmp / "code"
    code.mkdir(exist_ok=True)
    (code / "main.py").write_text(source)
    stage = tmp / "stage"
    if not stage.exists():
        stage.mkdir()
        pkg = runner_package_dir()
        (stage / "runner").symlink_to(pkg)
        (stage / "autokitteh").symlink_to(os.path.join(pkg, "autokitteh"))
    run = {
        "session_id": "ses_x",
        "entrypoint": "main.py:main",
        "event": {"data": {}},
        "durable": True,
        "journal": journal,
    }
    (tmp / "run.json").write_text(json.dumps(run))
    env = {**os.environ, "PYTHONPATH": str(stage)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "runner.replay",
            "--code-dir",
            str(code),
            "--run",
            str(tmp / "run.json"),
            *flags,
        ],
        cwd=stage,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_journaled_values_and_errors_come_back_without_running(tmp_path: Path) -> None:
    journal = [_entry(1, "step", 10), _entry(2, "step", None, KeyError("gone"))]
    p = _replay(tmp_path, PROGRAM, journal)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "a = 10\nrecorded error: 'gone'\n"
    assert "[replay] completed (2 journaled); return value: 10" in p.stderr


def test_a_different_call_than_recorded_is_a_divergence(tmp_path: Path) -> None:
    p = _replay(tmp_path, PROGRAM, [_entry(1, "other", 10)])
    assert p.returncode == 3
    assert (
        "journal entry 1 was recorded for 'other' but the workflow now calls 'step'"
        in p.stderr
    )


def test_until_and_end_of_journal(tmp_path: Path) -> None:
    journal = [_entry(1, "step", 10), _entry(2, "step", 20)]
    p = _replay(tmp_path, PROGRAM, journal, "--until", "1")
    assert (p.returncode, p.stdout) == (0, "a = 10\n")
    assert "stopped before seq 2 (step): --until 1" in p.stderr
    p = _replay(tmp_path, PROGRAM, journal[:1])
    assert "end of the journal: seq 2 (step) was never recorded" in p.stderr
