"""`ak connection`: create, list, get, delete, set, test (cli.md §2.11).

Credentials are set with `ak connection set <project>/<conn> KEY=VALUE ...`;
a bare `KEY` reads its value from a hidden prompt (or a line of stdin), so a
secret need not appear in the shell history. Secret values print as
`<secret>` everywhere unless `get --reveal` asks for them.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from akcli import integrations
from akcli.cli import app_ctx, check_found, new_app
from akcli.errors import AkError, NotFound

app = new_app("Connection management")

_PROJECT = typer.Option("", "-p", "--project", help="project name or ID")


def set_hint(project: str, name: str, integ: integrations.Integration) -> str:
    """How to configure a connection: the command and the keys of each way."""
    return f"ak connection set {project}/{name} {integrations.set_ways(integ)}"


def resolve(actx: Any, ref: str, project: str = "", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"connection_id": ref, **extra}
    if project:
        body["project_id"] = project
    conn: dict[str, Any] | None = actx.client.call("connections", "Get", body).get(
        "connection"
    )
    if not conn:
        raise NotFound("connection: not_found")
    return conn


@app.command("create")
def create(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="NAME"),
    integration: str = typer.Option("", "-i", "--integration", help="integration"),
    project: str = _PROJECT,
    quiet: bool = typer.Option(False, "-q", "--quiet", help="no hint on stderr"),
) -> None:
    """Create a connection of a project to an integration."""
    actx = app_ctx(ctx)
    if not integration:
        raise AkError('required flag(s) "integration" not set')
    if not project:
        raise AkError("missing project")
    integ = integrations.find(integration)
    body = {
        "connection": {
            "name": name,
            "project_id": project,
            "integration": integ.unique_name,
        }
    }
    cid = actx.client.call("connections", "Create", body)["connection_id"]
    actx.out.value("connection_id", cid)
    if not quiet and integ.required:
        typer.echo(
            f"Connection created; set its keys with: {set_hint(project, name, integ)}",
            err=True,
        )


@app.command("list")
def list_(
    ctx: typer.Context,
    integration: str = typer.Option("", "-i", "--integration", help="integration"),
    project: str = _PROJECT,
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if none found"),
) -> None:
    """List connections with their status (`configured` or `missing: <keys>`)."""
    actx = app_ctx(ctx)
    body = {"project_id": project, "integration": integration}
    conns = actx.client.call("connections", "List", body).get("connections", [])
    check_found(bool(conns), fail, "connections")
    actx.out.items(conns)


@app.command("get")
def get(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="PROJECT/NAME_OR_ID"),
    project: str = _PROJECT,
    reveal: bool = typer.Option(False, "--reveal", help="show secret values"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if not found"),
) -> None:
    """A connection, its vars (secrets hidden) and the webhook URLs to paste."""
    actx = app_ctx(ctx)
    try:
        conn: dict[str, Any] | None = resolve(
            actx, ref, project, with_vars=True, reveal=reveal
        )
    except NotFound:
        conn = None
    check_found(conn is not None, fail, "connection")
    actx.out.obj("connection", conn)


@app.command("delete")
def delete(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="PROJECT/NAME_OR_ID"),
    project: str = _PROJECT,
) -> None:
    """Delete a connection, its vars and its triggers."""
    actx = app_ctx(ctx)
    try:
        cid = resolve(actx, ref, project)["connection_id"]
    except NotFound:
        raise NotFound("delete connection: not_found") from None
    actx.client.call("connections", "Delete", {"connection_id": cid})


def read_value(key: str) -> str:
    """A value from a hidden prompt on a terminal, else one line of stdin."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"{key}: ")
    line = sys.stdin.readline()
    if not line:
        raise AkError(f"no value for {key} on stdin")
    return line.rstrip("\r\n")


def parse_assignments(items: list[str]) -> list[tuple[str, str]]:
    out = []
    for item in items:
        key, eq, value = item.partition("=")
        if not key:
            raise AkError(f'invalid assignment "{item}": use KEY=VALUE or KEY')
        out.append((key, value if eq else read_value(key)))
    return out


@app.command("set")
def set_(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="PROJECT/NAME"),
    items: list[str] = typer.Argument(..., metavar="KEY=VALUE|KEY..."),
    project: str = _PROJECT,
) -> None:
    """Set connection keys; a bare KEY reads its value hidden (or from stdin)."""
    actx = app_ctx(ctx)
    conn = resolve(actx, ref, project)
    integ = integrations.by_name(conn["integration"])
    pairs = parse_assignments(items)
    for key, _ in pairs:
        if integ.key(key) is None:
            known = ", ".join(k.name for k in integ.keys)
            typer.echo(
                f'warning: "{key}" is not a key of {integ.unique_name} (known: {known})',
                err=True,
            )
    body = {
        "connection_id": conn["connection_id"],
        "vars": [{"name": k, "value": v} for k, v in pairs],
    }
    got = actx.client.call("connections", "SetVars", body)["connection"]
    actx.out.value("status", got["status"]["message"])


@app.command("test")
def test(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="PROJECT/NAME_OR_ID"),
    project: str = _PROJECT,
) -> None:
    """Build the client and make the integration's cheapest authenticated call."""
    actx = app_ctx(ctx)
    conn = resolve(actx, ref, project)
    resp = actx.client.call(
        "connections", "Test", {"connection_id": conn["connection_id"]}
    )
    st = resp["status"]
    if st["code"] != "CODE_OK":
        raise AkError(f"connection test failed: {st['message']}")
    actx.out.value("status", st["message"])
