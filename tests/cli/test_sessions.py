"""`ak session` flag and argument errors, checked before any server call."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["session", "start", "-p", "main.py:main"],
            "at least one of the flags in the group [deployment-id project] is required",
        ),
        (["session", "start", "-o", "p"], 'required flag(s) "entrypoint" not set'),
        (
            ["ses", "start", "-o", "p", "-p", "m.py:f", "-I", "x=abc"],
            'invalid input "x"',
        ),
        (["ses", "start", "-o", "p", "-p", "m.py:f", "-I", "x"], "expected key=<JSON"),
        (["ses", "start", "-o", "p", "-p", "m.py:f", "-m", "x"], 'invalid memo "x"'),
        (["session", "stop"], "Missing argument"),
        (["session", "test", "x.txtar"], 'required flag(s) "project" not set'),
        (["session", "ls", "-s", "bogus"], 'invalid session state "bogus"'),
        (["session", "d", "nope"], 'invalid session ID "nope"'),
        (["session", "log", "p", "-o", "sideways"], 'invalid order "sideways"'),
    ],
)
def test_usage_errors_rc1(cli: Cli, args: list[str], message: str) -> None:
    r = cli(*args)
    assert r.exit_code == 1, r.stderr
    assert r.stdout == ""
    assert r.stderr.startswith("Error: ") and message in r.stderr


def test_session_test_missing_file_rc44(cli: Cli, tmp_path: Path) -> None:
    r = cli("session", "test", str(tmp_path / "none.txtar"), "-p", "p")
    assert (r.exit_code, r.stderr) == (
        44,
        f'Error: session test file "{tmp_path / "none.txtar"}" not found\n',
    )


def test_session_test_skips_other_mode(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "lock.durable.txtar"
    f.write_text("-- main.py:main --\n")
    r = cli("session", "test", str(f), "-p", "p")
    assert (r.exit_code, r.stdout) == (0, f"SKIP {f} (not a nondurable test)\n")


def test_help_lists_verbs(cli: Cli) -> None:
    r = cli("ses", "--help")
    assert r.exit_code == 0
    for verb in ("start", "list", "get", "prints", "log", "watch", "stop", "restart"):
        assert verb in r.stdout
    assert "download-logs" in r.stdout and "test" in r.stdout
