"""Unit tests of the deploy logic that needs no server: collecting files, checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from akcli.commands.vars import go_quote, var_line
from akcli.deploy import check_entry_points, collect_files, read_manifest
from akcli.errors import AkError, NotFound
from akcli.manifest import load_manifest
from akcli.server.services.builds import make_archive, read_archive


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def test_collect_skips_dot_underscore_and_manifest(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "main.py": "a",
            "pkg/__init__.py": "",
            "pkg/mod.py": "b",
            "pkg/autokitteh.yaml": "x",
            "autokitteh.yaml": "version: v1",
            ".git/config": "x",
            "_build/out.py": "x",
            ".env": "x",
            "_private.py": "x",
            "sub/.hidden/x.py": "x",
            "pkg/__pycache__/mod.cpython-311.pyc": "x",
        },
    )
    got = collect_files([str(tmp_path)], [])
    # Package files are kept (our decision), other `_` names skipped as upstream.
    assert sorted(got) == ["main.py", "pkg/__init__.py", "pkg/mod.py"]
    assert got["pkg/mod.py"] == b"b"


def test_collect_single_files_by_base_name(tmp_path: Path) -> None:
    _tree(tmp_path, {"a/b/handler.py": "h", "d/x.py": "x"})
    got = collect_files([str(tmp_path / "d")], [str(tmp_path / "a/b/handler.py")])
    assert got == {"x.py": b"x", "handler.py": b"h"}


@pytest.mark.parametrize("flag", ["dir", "file"])
def test_collect_missing_path(tmp_path: Path, flag: str) -> None:
    missing = str(tmp_path / "nope")
    args: tuple[list[str], list[str]] = (
        ([missing], []) if flag == "dir" else ([], [missing])
    )
    with pytest.raises(NotFound, match=f"^stat {missing}: no such file or directory$"):
        collect_files(*args)


def test_read_manifest_missing(tmp_path: Path) -> None:
    path = str(tmp_path / "m.yaml")
    with pytest.raises(NotFound) as e:
        read_manifest(path)
    assert str(e.value) == f"open {path}: no such file or directory"
    assert e.value.exit_code == 44


def test_check_entry_points() -> None:
    m = load_manifest(
        "version: v2\nproject:\n  name: p\n  triggers:\n"
        "    - name: t\n      webhook: {}\n      call: main.py:f\n",
        "m.yaml",
    )
    check_entry_points(m, {"main.py": b""})
    with pytest.raises(AkError, match='trigger "t": entry point file "main.py"'):
        check_entry_points(m, {"other.py": b""})


def test_archive_roundtrip_is_deterministic() -> None:
    files = {"b.py": b"2", "a/x.py": b"1"}
    assert read_archive(make_archive(files)) == files
    assert make_archive(files) == make_archive(dict(reversed(files.items())))


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("val", '"val"'),
        ('a "q" \\', '"a \\"q\\" \\\\"'),
        ("tab\there\n", '"tab\\there\\n"'),
        ("\x01", '"\\x01"'),
        ("héllo ✓", '"héllo ✓"'),
    ],
)
def test_go_quote(text: str, want: str) -> None:
    assert go_quote(text) == want


def test_var_line() -> None:
    assert (
        var_line({"name": "k", "value": "v", "description": "meow"}) == 'k="v" # meow'
    )
    assert (
        var_line({"name": "s", "value": "<secret>", "is_secret": True}) == "s=<secret>"
    )
    assert var_line({"name": "s", "value": "x", "is_secret": True}) == 's="x"'
    assert var_line({"name": "e"}) == 'e=""'
