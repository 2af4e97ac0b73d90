"""`ak check`: replay hazards found through the runner's own AST rewrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from akcli.check import check_dir, check_source
from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]

ACCEPTANCE = """\
import random
import time

import autokitteh
import requests


@autokitteh.inhibit_activities
def stamp():
    return time.time(), random.random()


def on_event(event):
    for tag in {"a", "b"}:
        print(tag)
    requests.post("https://example.com", hooks={"response": lambda r: r})
    return stamp()
"""


def _codes(source: str) -> list[tuple[int, int, str]]:
    return [(f.line, f.col, f.code) for f in check_source(source, "m.py", {"m"})]


def test_acceptance_project_one_finding_each(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "program.py").write_text(ACCEPTANCE)
    r = cli("check", str(tmp_path))
    assert r.exit_code == 0  # warnings only without --strict
    lines = r.stdout.splitlines()
    p = tmp_path / "program.py"
    assert [ln.split(" ", 2)[:2] for ln in lines] == [
        [f"{p}:10:12:", "AK101"],
        [f"{p}:10:25:", "AK101"],
        [f"{p}:14:16:", "AK102"],
        [f"{p}:16:61:", "AK103"],
    ]
    assert "time.time() in inhibited workflow code" in lines[0]
    assert lines[0].endswith(
        "; fix: move the call into an @autokitteh.activity function (its result is then journaled)"
    )
    assert "fix: iterate over sorted(...) instead" in lines[2]
    assert "a lambda passed to requests.post()" in lines[3]
    assert r.stderr == "4 findings\n"

    r = cli("check", str(tmp_path), "--strict")
    assert r.exit_code == 1
    assert r.stderr.endswith("Error: ak check: 4 findings (--strict)\n")

    r = cli("-j", "check", str(tmp_path))
    docs = [json.loads(ln) for ln in r.stdout.splitlines()]
    assert docs[0] == {
        "path": str(p),
        "line": 10,
        "col": 12,
        "code": "AK101",
        "message": "time.time() in inhibited workflow code is not journaled: a replay gets another value",
        "fix": "move the call into an @autokitteh.activity function (its result is then journaled)",
    }


@pytest.mark.parametrize(
    "project",
    [
        "testdata/quickstart",
        *sorted(
            str(p.relative_to(ROOT)) for p in (ROOT / "testdata/samples").iterdir()
        ),
    ],
)
def test_no_false_alarm_on_samples(project: str, cli: Cli) -> None:
    assert check_dir(ROOT / project) == []
    r = cli("check", str(ROOT / project), "--strict")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")


def test_plain_workflow_calls_are_activities_not_findings() -> None:
    # Outside inhibit_activities these run as journaled activities: no finding.
    src = "import random, time, uuid\ndef main(e):\n    return time.time(), random.random(), uuid.uuid4()\n"
    assert _codes(src) == []
    src = "import autokitteh, time\ndef main(e):\n    with autokitteh.inhibit_activities():\n        t = time.time()\n"
    assert _codes(src) == [(4, 13, "AK101")]
    # Inside an activity everything runs live once: no finding.
    src = "import autokitteh, time\n@autokitteh.activity\ndef a():\n    with autokitteh.inhibit_activities():\n        return time.time()\n"
    assert _codes(src) == []


def test_sets_sorted_or_literal() -> None:
    src = "def main(e):\n    s = set(e.data)\n    for x in s:\n        pass\n    for y in sorted(s):\n        pass\n    return [z for z in frozenset(e.data)]\n"
    assert _codes(src) == [(3, 14, "AK102"), (7, 24, "AK102")]


def test_module_level_side_effects_threads_unpicklables_breakpoint() -> None:
    src = """\
import os
import threading

import autokitteh
import requests

TOKEN = os.getenv("TOKEN")
CONFIG = open("config.txt").read()
requests.get("https://example.com")
open("log.txt", "a")


@autokitteh.activity
def rows():
    yield 1


@autokitteh.activity
def lock():
    return threading.Lock()


def main(event):
    threading.Thread(target=print).start()
    requests.get("https://example.com", data=(x for x in "ab"))
    sorted(event.data, key=lambda v: v)
    breakpoint()
"""
    assert _codes(src) == [
        (9, 1, "AK104"),
        (10, 1, "AK104"),
        (15, 5, "AK103"),
        (20, 5, "AK103"),
        (24, 5, "AK105"),
        (25, 46, "AK103"),
        (27, 5, "AK106"),
    ]


def test_syntax_error_is_a_finding() -> None:
    assert _codes("def main(:\n") == [(1, 10, "AK001")]


def test_register_no_activity_makes_a_call_inline() -> None:
    src = "import autokitteh, time\nautokitteh.register_no_activity(time.time)\ndef main(e):\n    return time.time()\n"
    findings = check_source(src, "m.py", {"m"})
    assert [(f.line, f.col, f.code) for f in findings] == [(4, 12, "AK101")]
    assert findings[0].message == (
        "time.time() in workflow code is not journaled (registered with"
        " register_no_activity): a replay gets another value"
    )
