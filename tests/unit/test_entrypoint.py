"""The one entry-point grammar (runner/entrypoint.py) and the callers that use it.

Every caller keeps its own error class but shows the parser's text.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from akcli.commands.sessions.chaos_cmd import _case
from akcli.commands.triggers import parse_call
from akcli.engine import syscalls
from akcli.engine.runner_types import SyscallError
from akcli.errors import AkError, BadRequest, UsageError
from akcli.manifest import load_manifest
from akcli.server.services import sessions
from akcli.server.state import Server
from akcli.sessiontest import load_case
from akcli.store.db import now
from runner.entrypoint import parse_entrypoint
from runner.main import module_entrypoint

ANY: dict[str, bool] = {}  # the grammar alone: a name may be omitted, any file
NAMED = {"need_name": True}  # sessions, session tests, --entry
PY = {"need_name": True, "need_py": True}  # the runner and start(loc=...)


def bad(text: str, problem: str) -> str:
    return f'invalid entrypoint: "{text}": {problem}'


# (input, flags) -> (path, name) or the error text
TABLE: list[tuple[str, dict[str, bool], tuple[str, str] | str]] = [
    ("main.py:handler", ANY, ("main.py", "handler")),
    ("main.py:handler", PY, ("main.py", "handler")),
    ("main.py handler", PY, ("main.py", "handler")),
    ("main.py\thandler", NAMED, ("main.py", "handler")),
    ("main.py   handler  ", NAMED, ("main.py", "handler")),
    (" dir/main.py:on_get ", PY, ("dir/main.py", "on_get")),
    ("main.py : handler", NAMED, ("main.py", "handler")),
    ("main.py:3.4,handler", PY, ("main.py", "handler")),
    ("main.py:3,handler", PY, ("main.py", "handler")),
    ("main.py 3.4,handler", PY, ("main.py", "handler")),
    ("main.py: 3 , handler", PY, ("main.py", "handler")),
    ("pkg/mod.py:Class.method", NAMED, ("pkg/mod.py", "Class.method")),
    ("my dir/main.py:f", PY, ("my dir/main.py", "f")),  # a colon wins over spaces
    ("main.py", ANY, ("main.py", "")),
    ("main.py:", ANY, ("main.py", "")),
    ("main:f", NAMED, ("main", "f")),  # .py only where a module is made
    ("", ANY, "invalid entrypoint: empty entrypoint"),
    ("   ", PY, "invalid entrypoint: empty entrypoint"),
    (":f", ANY, bad(":f", "missing file path")),
    ("main.py:1x,f", ANY, bad("main.py:1x,f", "invalid position '1x'")),
    ("main.py:x,y", ANY, bad("main.py:x,y", "invalid position 'x'")),
    ("main.py:1x", ANY, bad("main.py:1x", "invalid function name '1x'")),
    ("main.py:f-g", ANY, bad("main.py:f-g", "invalid function name 'f-g'")),
    ("a.py:b:c", NAMED, bad("a.py:b:c", "invalid function name 'b:c'")),
    ("a.py f g", NAMED, bad("a.py f g", "invalid function name 'f g'")),
    ("main.py", NAMED, bad("main.py", "missing function name")),
    ("main.py:3.4,", NAMED, bad("main.py:3.4,", "missing function name")),
    ("main:f", PY, bad("main:f", "'main' is not a .py file")),
    ("main.txt f", PY, bad("main.txt f", "'main.txt' is not a .py file")),
]


@pytest.mark.parametrize(("text", "flags", "want"), TABLE)
def test_grammar(
    text: str, flags: dict[str, bool], want: tuple[str, str] | str
) -> None:
    if isinstance(want, tuple):
        assert parse_entrypoint(text, **flags) == want
    else:
        with pytest.raises(ValueError) as ei:
            parse_entrypoint(text, **flags)
        assert str(ei.value) == want


# -- the callers ---------------------------------------------------------------


def test_manifest_call() -> None:
    yaml = "version: v1\nproject:\n  name: p\n  triggers:\n    - name: t\n"
    yaml += "      webhook: {}\n      call: 'a.py:b:c'\n"
    with pytest.raises(BadRequest) as ei:
        load_manifest(yaml, "autokitteh.yaml")
    want = bad("a.py:b:c", "invalid function name 'b:c'")
    assert str(ei.value) == f'trigger "p:webhook/t": {want}'


@pytest.mark.parametrize(
    ("call", "want"),
    [
        ("program.py:on_hook", {"path": "program.py", "name": "on_hook"}),
        ("program.py 1.2,on_hook", {"path": "program.py", "name": "on_hook"}),
        ("program.py:on-hook", None),
        ("program.py", {"path": "program.py", "name": ""}),
        ("a b.py:f", {"path": "a b.py", "name": "f"}),
    ],
)
def test_cli_trigger_call(call: str, want: dict[str, str] | None) -> None:
    if want is not None:
        assert parse_call(call) == want
    else:
        with pytest.raises(AkError) as ei:
            parse_call(call)
        assert str(ei.value) == bad(call, "invalid function name 'on-hook'")


def test_rpc_session_start(srv: Server) -> None:
    with pytest.raises(BadRequest) as ei:
        sessions.start(srv, {"session": {"entrypoint": "main.py"}})
    assert str(ei.value) == bad("main.py", "missing function name")


def test_session_test_first_file() -> None:
    with pytest.raises(AkError) as ei:
        load_case("-- main.py --\n", durable=False)
    assert str(ei.value).startswith(bad("main.py", "missing function name") + " (")
    case = load_case("-- main.py:3.4,main --\ndef main(e): pass\n", durable=True)
    assert (case.entry_path, case.entry_name) == ("main.py", "main")


def test_chaos_entry(tmp_path: Path) -> None:
    (tmp_path / "flow.py").write_text("def run(event):\n    pass\n")
    case = _case(tmp_path, "flow.py run")
    assert (case.entry_path, case.entry_name) == ("flow.py", "run")
    with pytest.raises(UsageError) as ei:
        _case(tmp_path, "flow.py")
    assert str(ei.value) == bad("flow.py", "missing function name")
    with pytest.raises(UsageError, match="a directory needs --entry"):
        _case(tmp_path, "")


def _start_syscall(srv: Server, loc: str) -> Any:
    t = now()
    sid = srv.ids.new("ses")
    srv.db.exec(
        "INSERT INTO sessions (session_id, project_id, entry_path, entry_name,"
        " inputs, memo, state, created_at, updated_at)"
        " VALUES (?, 'p', 'main.py', 'main', '{}', '{}', 'running', ?, ?)",
        sid,
        t,
        t,
    )
    call = syscalls.Call(srv, sid, None, "start", lambda *a: None)
    return asyncio.run(syscalls.handle(call, {"loc": loc}))


@pytest.mark.parametrize(
    ("loc", "problem"),
    [
        ("main.py", "missing function name"),
        ("main.txt:f", "'main.txt' is not a .py file"),
        ("main.py:b:c", "invalid function name 'b:c'"),
    ],
)
def test_start_syscall(srv: Server, loc: str, problem: str) -> None:
    with pytest.raises(SyscallError) as ei:
        _start_syscall(srv, loc)
    assert str(ei.value) == bad(loc, problem)


@pytest.mark.parametrize(
    ("entrypoint", "want"),
    [
        ("main.py:main", ("main", "main")),
        ("pkg/mod.py handler", ("pkg.mod", "handler")),
        ("main.py:3.4,main", ("main", "main")),
        ("main.txt:main", bad("main.txt:main", "'main.txt' is not a .py file")),
        ("main.py", bad("main.py", "missing function name")),
    ],
)
def test_runner_module_name(entrypoint: str, want: tuple[str, str] | str) -> None:
    if isinstance(want, tuple):
        assert module_entrypoint(entrypoint) == want
    else:
        with pytest.raises(ValueError) as ei:
            module_entrypoint(entrypoint)
        assert str(ei.value) == want
