"""`ak session test` logic (txtar, modes, normalisation, diffs) and the session
commands' pure formatting helpers."""

from __future__ import annotations

import pytest

from akcli.commands.sessions.common import go_time, record_text, rfc3339
from akcli.commands.sessions.query import format_log_file
from akcli.commands.sessions.start import parse_inputs, parse_memo
from akcli.errors import AkError, UsageError
from akcli.sessiontest import (
    applies,
    compare,
    diff,
    join_prints,
    load_case,
    normalise,
    parse_txtar,
)

ARCHIVE = """\
hello
world
-- main.py:main --
import foo
def main(event):
    print("hello")
-- foo.py --
x = 1
-- calls.txt --
# comment
a

b
-- error.durable.txt --
durable error
-- error.txt --
any error
-- extra.nondurable.py --
y = 2
"""


def test_parse_txtar_comment_and_files() -> None:
    arc = parse_txtar(ARCHIVE)
    assert arc.comment == "hello\nworld\n"
    assert [n for n, _ in arc.files][:3] == ["main.py:main", "foo.py", "calls.txt"]
    assert arc.files[1][1] == "x = 1\n"


def test_load_case_modes() -> None:
    nd = load_case(ARCHIVE, durable=False)
    assert (nd.entry_path, nd.entry_name) == ("main.py", "main")
    assert sorted(nd.sources) == ["extra.nondurable.py", "foo.py", "main.py"]
    assert nd.calls == ["a", "b"]
    assert nd.error == "any error\n"
    d = load_case(ARCHIVE, durable=True)
    assert sorted(d.sources) == ["foo.py", "main.py"]
    assert d.error == "durable error\n"


def test_entry_point_with_space_and_errors() -> None:
    case = load_case("-- main.py main --\ndef main(e): pass\n", durable=False)
    assert (case.entry_path, case.entry_name) == ("main.py", "main")
    with pytest.raises(AkError, match="must name the entry point"):
        load_case("-- main.py --\n", durable=False)
    with pytest.raises(AkError, match="no files"):
        load_case("just a comment\n", durable=False)


def test_applies() -> None:
    assert applies("lock.durable.txtar", True) and not applies(
        "lock.durable.txtar", False
    )
    assert applies("x.nondurable.txt", False) and not applies("x.nondurable.txt", True)
    assert applies("simple.txtar", True) and applies("simple.txtar", False)


def test_normalise_traceback() -> None:
    got = """\
error: ValueError(1, 2)

Traceback (most recent call last):
  File "/home/u/ak/runner/call.py", line 88, in _call
    value = fn(*args, **kw)
            ^^^^^^^^^^^^^^^
  File "/tmp/ak-user-abc123/main.py", line 3, in main
    f()
  File "/usr/lib/python3.11/concurrent/futures/_base.py", line 449, in result
    return self.__get_result()
           ~~~~~~~~~~~~~~~~~^^
ValueError: (1, 2)
can't load main from /tmp/ak-user-123 - x

"""
    assert (
        normalise(got)
        == """\
error: ValueError(1, 2)

Traceback (most recent call last):
   ak-runner
    value = fn(*args, **kw)
  File "main.py", line 3, in main
    f()
  py-lib/concurrent/futures/_base.py, line XXX, in result
    return self.__get_result()
ValueError: (1, 2)
can't load main from - x"""
    )


def test_normalise_runner_in_site_packages_and_idempotent() -> None:
    line = '  File "/v/lib/python3.11/site-packages/runner/main.py", line 5, in run'
    assert normalise(line) == "ak-runner"  # trimmed as a whole text
    text = "a\n   ak-runner\n  py-lib/x.py, line XXX, in f\nb"
    assert normalise(text) == text


def test_join_prints_strips_one_newline() -> None:
    assert join_prints(["a\n", "b\n\n", "c"]) == "a\nb\n\nc"


def test_diff() -> None:
    assert diff("prints", "a", "a") == ""
    d = diff("prints", "a\nb", "a\nc")
    assert d.startswith("prints mismatch:\n--- want\n+++ got\n")
    assert "-b" in d and "+c" in d


def test_compare() -> None:
    case = load_case(ARCHIVE, durable=True)
    ok = compare(
        case, True, ["hello\n", "world\n"], ["a", "b"], "error", "durable error"
    )
    assert ok == []
    bad = compare(case, True, ["hello\n"], ["a"], "completed", "")
    assert [p.split(" ", 1)[0] for p in bad] == ["prints", "calls", "error"]
    assert "session ended COMPLETED, not ERROR" in bad[2]
    # calls are compared only in durable runs
    nd = load_case(ARCHIVE, durable=False)
    assert compare(nd, False, ["hello", "world"], [], "error", "any error") == []
    # no error file: a failed session is a failure, with its error shown
    plain = load_case("-- main.py:main --\n", durable=False)
    assert compare(plain, False, [], [], "error", "boom") == [
        "session ended ERROR:\nboom"
    ]


def test_go_time_and_rfc3339() -> None:
    assert go_time("2025-01-01T10:00:00.500000Z") == "2025-01-01 10:00:00.5 +0000 UTC"
    assert go_time("2025-01-01T10:00:00.000000Z") == "2025-01-01 10:00:00 +0000 UTC"
    assert go_time("2025-01-01T12:00:00.000123+02:00") == (
        "2025-01-01 10:00:00.000123 +0000 UTC"
    )
    assert rfc3339("2025-01-01T10:00:00.120000Z") == "2025-01-01T10:00:00.12Z"


@pytest.mark.parametrize(
    ("record", "text"),
    [
        ({"state": {"created": {}}}, "State: CREATED"),
        (
            {
                "state": {
                    "running": {"call": {"function": {"path": "m.py", "name": "f"}}}
                }
            },
            "State: RUNNING m.py:f",
        ),
        ({"state": {"completed": {"return_value": 42}}}, "State: COMPLETED: 42"),
        ({"state": {"error": {"error": {"message": "boom\n"}}}}, "State: ERROR: boom"),
        ({"state": {"stopped": {"reason": "test"}}}, "State: STOPPED: test"),
        (
            {
                "call_spec": {
                    "function": {"name": "a"},
                    "args": ["1"],
                    "kwargs": {"k": "2"},
                }
            },
            "Call Spec: a(1, k=2)",
        ),
        ({"stop_request": {"reason": "why"}}, "Stop Request: why"),
        ({"stop_request": {}}, "Stop Request:"),
        ({"print": {"text": "hi\n"}}, "Print: hi"),
        ({"outcome": {"v": 1}}, 'Outcome: {"v": 1}'),
        ({"t": "x", "call_attempt_start": {"seq": 1}}, "Call Attempt Start: #1"),
    ],
)
def test_record_text(record: dict[str, object], text: str) -> None:
    assert record_text(record) == text


def test_format_log_file() -> None:
    prints = [
        {"t": "2025-01-01T10:00:00.5Z", "v": "one\n"},
        {"t": "2025-01-01T10:00:01Z", "v": "two\nthree"},
    ]
    assert "".join(format_log_file(prints)) == (
        "[2025-01-01 10:00:00]:  one\n"
        "[2025-01-01 10:00:01]:  two\n" + " " * 24 + "three\n"
    )


def test_parse_inputs_and_memo() -> None:
    assert parse_inputs(["n=1", 's="a"', 'o={"k": [1]}', "b=true"]) == {
        "n": 1,
        "s": "a",
        "o": {"k": [1]},
        "b": True,
    }
    with pytest.raises(UsageError, match='invalid input "n"'):
        parse_inputs(["n=abc"])
    with pytest.raises(UsageError, match="expected key=<JSON value>"):
        parse_inputs(["novalue"])
    assert parse_memo(["a=b=c"]) == {"a": "b=c"}
    with pytest.raises(UsageError):
        parse_memo(["x"])
