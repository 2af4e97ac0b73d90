"""`ak session test --chaos`: the real CLI runs its own private `ak up` and kills
the runner (or the server) right after each activity commits."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.conftest import run_ak as _run_ak

pytestmark = pytest.mark.e2e

CHAOS = Path(__file__).resolve().parents[2] / "testdata" / "chaos"


def run_ak(*args: str) -> Result:
    # Workflows run with this interpreter: no default venv build.
    return _run_ak(*args, env={"AK_WORKER_PYTHON": sys.executable})


def test_ten_activities_ten_kill_points_identical() -> None:
    r = run_ak("session", "test", "--chaos", str(CHAOS / "ten_activities.txtar"))
    assert r.exit_code == 0, r.stdout + r.stderr
    rows = r.stdout.splitlines()
    assert rows[0].split() == ["k", "seq", "activity", "re-run", "outcome"]
    assert [row.split() for row in rows[1:]] == [
        [str(k), str(k), "step", "0", "identical"] for k in range(1, 11)
    ]
    assert (
        "10 kill points (runner), 0 duplicated journaled activities, outcome identical"
        in r.stderr
    )


def test_json_rows() -> None:
    r = run_ak("-j", "session", "test", "--chaos", str(CHAOS / "ten_activities.txtar"))
    assert r.exit_code == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(p["k"], p.get("rerun", []), p["outcome"]) for p in rows] == [
        (k, [], "identical") for k in range(1, 11)
    ]


def test_inhibited_random_diverges_rc1() -> None:
    r = run_ak("session", "test", "--chaos", str(CHAOS / "inhibited_random.txtar"))
    assert r.exit_code == 1
    rows = [row.split() for row in r.stdout.splitlines()[1:4]]
    assert [row[-1] for row in rows] == ["DIFFERS"] * 3
    # The replay itself printed another number than the run it resumed.
    assert "print w:0:0: the first run printed 'lucky 0." in r.stdout
    assert "the replay 'lucky 0." in r.stdout
    assert "outcome differs at k=1,2,3" in r.stderr


def test_kill_server_resumes_after_restart(tmp_path: Path) -> None:
    case = tmp_path / "three.txtar"
    text = (CHAOS / "ten_activities.txtar").read_text()
    case.write_text(text.replace("range(10)", "range(3)"))
    r = run_ak("session", "test", "--chaos", str(case), "--kill", "server")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert [row.split()[-1] for row in r.stdout.splitlines()[1:]] == ["identical"] * 3
    assert "3 kill points (server), 0 duplicated" in r.stderr


def test_bad_kill_is_a_usage_error() -> None:
    r = run_ak(
        "session",
        "test",
        "--chaos",
        str(CHAOS / "ten_activities.txtar"),
        "--kill",
        "zygote",
    )
    assert r.exit_code == 1
    assert (
        r.stderr.strip() == 'Error: invalid --kill "zygote": expected runner or server'
    )


def test_project_dir_entry_and_input(tmp_path: Path) -> None:
    (tmp_path / "flow.py").write_text(
        "import autokitteh\n\n\n@autokitteh.activity\ndef double(x):\n    return 2 * x\n\n\n"
        "def run(event):\n    n = event.data['n']\n    print('n', n)\n"
        "    return double(double(n))\n"
    )
    r = run_ak(
        "session",
        "test",
        "--chaos",
        str(tmp_path),
        "-e",
        "flow.py:run",
        "--input",
        '{"n": 5}',
    )
    assert r.exit_code == 0, r.stdout + r.stderr
    assert [row.split() for row in r.stdout.splitlines()[1:]] == [
        ["1", "1", "double", "0", "identical"],
        ["2", "2", "double", "0", "identical"],
    ]
    assert "clean run ses_" in r.stderr and ": completed, 2 activities" in r.stderr
    r = run_ak("session", "test", "--chaos", str(tmp_path))
    assert (r.exit_code, r.stderr.strip()) == (
        1,
        "Error: a directory needs --entry file.py:function",
    )
