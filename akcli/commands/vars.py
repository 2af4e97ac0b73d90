"""`ak var`: set, get, delete project variables (cli.md §2.9)."""

from __future__ import annotations

import re
import sys
from typing import Any

import typer

from akcli.cli import app_ctx, new_app
from akcli.errors import AkError, BadRequest
from akcli.secrets import SECRET_MASK

app = new_app("Project variables")

MAX_STDIN = 1 << 20
_NAME_RE = re.compile(r"^[a-zA-Z_][A-Za-z0-9_]*$")
_ESCAPES = {
    "\a": r"\a",
    "\b": r"\b",
    "\f": r"\f",
    "\n": r"\n",
    "\r": r"\r",
    "\t": r"\t",
    "\v": r"\v",
    "\\": "\\\\",
    '"': '\\"',
}


def go_quote(s: str) -> str:
    """Go's strconv.Quote: double quotes, escapes for non-printable characters."""
    out = ['"']
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def var_line(v: dict[str, Any]) -> str:
    """`key="value" # description`, or `key=<secret>` for a hidden secret."""
    value = v.get("value", "")
    shown = (
        SECRET_MASK if v.get("is_secret") and value == SECRET_MASK else go_quote(value)
    )
    line = f"{v.get('name', '')}={shown}"
    if v.get("description"):
        line += f" # {v['description']}"
    return line


def read_stdin_value(secret: bool = False) -> str:
    """The value from stdin: a hidden prompt for a secret on a terminal, else
    all of stdin (closed, unreadable or non-UTF-8 stdin is one clean error)."""
    stdin = sys.stdin
    if stdin is None or getattr(stdin, "buffer", None) is None:
        raise BadRequest("no value given and stdin is closed")
    try:
        tty = stdin.isatty()
    except (OSError, ValueError):
        tty = False
    if tty and secret:
        import getpass

        try:
            return getpass.getpass("Secret value: ")
        except (EOFError, KeyboardInterrupt):
            raise BadRequest("no value entered") from None
    try:
        data = stdin.buffer.read(MAX_STDIN + 1)
    except (OSError, ValueError) as e:
        raise BadRequest(f"read value from stdin: {e}") from None
    if len(data) > MAX_STDIN:
        raise AkError("value read from stdin is larger than 1 MiB")
    try:
        return data.decode()
    except UnicodeDecodeError as e:
        raise BadRequest(
            f"value read from stdin is not UTF-8 text (byte {e.start})"
        ) from None


def check_key(key: str) -> str:
    if not _NAME_RE.match(key):
        bad = next((c for c in key if not (c.isalnum() or c == "_")), key[:1])
        why = f'illegal symbol "{bad}"' if bad else "empty name"
        raise AkError(f'invalid variable name "{key}": {why}')
    return key


_PROJECT = typer.Option("", "-p", "--project", help="project name or ID")


@app.command("set")
def set_(
    ctx: typer.Context,
    key: str = typer.Argument(..., metavar="KEY"),
    value: str | None = typer.Argument(None, metavar="[VALUE]"),
    secret: bool = typer.Option(False, "-s", "--secret", help="store as a secret"),
    description: str = typer.Option("", "--description", help="description"),
    project: str = _PROJECT,
) -> None:
    """Set a variable (the value is read from stdin when omitted)."""
    actx = app_ctx(ctx)
    check_key(key)
    if value is None:
        value = read_stdin_value(secret)
    var = {
        "scope_id": project,
        "name": key,
        "value": value,
        "is_secret": secret,
        "description": description,
    }
    actx.client.call("vars", "Set", {"vars": [var]})


@app.command("get")
def get(
    ctx: typer.Context,
    keys: list[str] = typer.Argument(None, metavar="[KEY]..."),
    reveal: bool = typer.Option(False, "--reveal", help="show secret values"),
    project: str = _PROJECT,
) -> None:
    """Get variables (all of them when no keys are given)."""
    actx = app_ctx(ctx)
    body = {"scope_id": project, "names": list(keys or []), "reveal": reveal}
    vars_ = actx.client.call("vars", "Get", body).get("vars", [])
    actx.out.items(vars_, text=var_line)


@app.command("delete")
def delete(
    ctx: typer.Context,
    key: str = typer.Argument(..., metavar="KEY"),
    project: str = _PROJECT,
) -> None:
    """Delete a variable."""
    app_ctx(ctx).client.call("vars", "Delete", {"scope_id": project, "names": [key]})
