"""Basic runs through the real RunnerPool: prints, return values, errors."""

from __future__ import annotations

from pathlib import Path

from .helpers import run_files


def test_prints_and_return_value(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import sys
            print("module level")

            def main(event):
                print("hello", "world", sep="-")
                print()
                print("two\\n")
                print("to stderr", file=sys.stderr)
                return {"answer": 42, "t": (1, 2)}
        """
    }
    outcome, host = run_files(tmp_path, files)
    assert outcome.state == "completed", outcome.error
    assert outcome.value == {"answer": 42, "t": [1, 2]}
    assert outcome.value_pickle
    assert host.texts == ["module level", "hello-world", "", "two\n", "to stderr"]
    assert list(host.prints) == ["w:0:0", "w:0:1", "w:0:2", "w:0:3", "w:0:4"]


def test_session_id_passed_only_to_handlers_that_take_it(tmp_path: Path) -> None:
    files = {
        "main.py": """
            import functools

            def plain(event):
                return "plain"

            def with_sid(event, session_id):
                return session_id

            def kw_only(event, *, session_id=None):
                return session_id

            def any_kwargs(event, **kwargs):
                return sorted(kwargs)

            def deco(f):
                @functools.wraps(f)
                def wrapper(*args, **kwargs):
                    return f(*args, **kwargs)
                return wrapper

            @deco
            def wrapped(event, session_id):
                return session_id
        """
    }
    want = {
        "plain": "plain",
        "with_sid": "ses_test",
        "kw_only": "ses_test",
        "any_kwargs": [],
        "wrapped": "ses_test",
    }
    for name, value in want.items():
        outcome, _ = run_files(tmp_path / name, files, f"main.py:{name}")
        assert outcome.state == "completed", outcome.error
        assert outcome.value == value, name
