"""`ak session test --chaos FILE.txtar|DIR`: the kill-point table (akcli/chaos.py)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from akcli.cli import app_ctx
from akcli.errors import AkError, BadRequest, NotFound, UsageError
from akcli.sessiontest import Case, load_case
from runner.entrypoint import parse_entrypoint


def _case(path: Path, entry: str) -> Case:
    if path.is_dir():
        from akcli.deploy import collect_files

        if not entry.strip():
            raise UsageError("a directory needs --entry file.py:function")
        try:
            file, name = parse_entrypoint(entry, need_name=True)
        except ValueError as e:
            raise UsageError(str(e)) from None
        files = collect_files([str(path)], [])
        sources = {n: b.decode() for n, b in files.items()}
        if file not in sources:
            raise NotFound(f'entry point file "{file}" not found in {path}')
        return Case(entry_path=file, entry_name=name, sources=sources, prints="")
    if not path.is_file():
        raise NotFound(f'session test file "{path}" not found')
    return load_case(path.read_text(), durable=True)


def run(
    ctx: typer.Context, path: Path, kill: str, entry: str, inputs: str, timeout: float
) -> None:
    from akcli.chaos import KILLS, run_chaos, table

    if kill not in KILLS:
        raise UsageError(f'invalid --kill "{kill}": expected runner or server')
    try:
        data = json.loads(inputs)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise BadRequest(f'invalid --input "{inputs}": expected a JSON object')
    case = _case(path, entry)
    actx = app_ctx(ctx)
    out = actx.out
    from akcli.venvs import default_requirements, python_for

    # The interpreter (venv) the user's server would run this project with.
    defaults = default_requirements(actx.config)
    python = python_for(
        actx.config.paths, case.sources.get("requirements.txt"), None, defaults
    )
    clean, points = run_chaos(
        case, kill, timeout, python, data, progress=lambda s: typer.echo(s, err=True)
    )
    if out.is_json:
        out.items([p.to_json() for p in points])
    else:
        for row in table(points):
            typer.echo(row)
        for p in points:
            for problem in p.problems:
                typer.echo(f"\nk={p.k} (after {p.name}@{p.seq}): {problem}")
    dup = sum(len(p.rerun) for p in points)
    bad = [p.k for p in points if p.problems]
    summary = (
        f"{len(points)} kill points ({kill}), {dup} duplicated journaled activities,"
        f" outcome {'identical' if not bad else 'differs at k=' + ','.join(map(str, bad))}"
    )
    typer.echo(summary, err=True)
    if bad:
        raise AkError(f"chaos test {path} failed: {summary}")
