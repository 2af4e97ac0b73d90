"""`ak check [DIR]`: what in a project's Python would break a durable replay."""

from __future__ import annotations

from pathlib import Path

import typer

from akcli.cli import app_ctx
from akcli.errors import AkError, NotFound


def run_check(root: Path, warn: bool = False) -> list[str]:
    """The findings of `root` as text lines (`warn`: to stderr, for ak deploy,
    which reports syntax errors itself)."""
    from akcli.check import check_dir
    from akcli.check_rules import SYNTAX

    lines = [f.text() for f in check_dir(root) if not (warn and f.code == SYNTAX)]
    for line in lines if warn else []:
        typer.echo(f"[warn] {line}", err=True)
    return lines


def check(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("."), metavar="[DIR]", help="project directory"),
    strict: bool = typer.Option(False, "--strict", help="exit 1 on any finding"),
) -> None:
    """Check a project's Python for code that would break a durable replay."""
    from akcli.check import check_dir

    if not path.exists():
        raise NotFound(f'"{path}" not found')
    findings = check_dir(path)
    out = app_ctx(ctx).out
    if out.is_json:
        out.items([f.to_json() for f in findings])
    else:
        for f in findings:
            typer.echo(f.text())
    if findings:
        n = len(findings)
        typer.echo(f"{n} finding{'s' if n != 1 else ''}", err=True)
        if strict:
            raise AkError(f"ak check: {n} finding{'s' if n != 1 else ''} (--strict)")


def register(app: typer.Typer) -> None:
    app.command("check")(check)
