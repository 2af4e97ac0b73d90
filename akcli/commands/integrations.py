"""`ak integration`: the integrations this `ak` supports (no server needed)."""

from __future__ import annotations

import typer

from akcli import integrations
from akcli.cli import app_ctx, check_found, new_app
from akcli.integrations import Integration

app = new_app("Integration management")


def describe(integ: Integration) -> list[str]:
    """The readable text form of `ak integration get`."""
    lines = [f"{integ.unique_name} ({integ.display_name}): {integ.description}"]
    lines.append(f"integration_id: {integ.integration_id}")
    if integ.keys:
        lines.append("keys:")
        width = max(len(k.name) for k in integ.keys)
        for k in integ.keys:
            kind = "secret" if k.secret else "plain "
            lines.append(f"  {k.name.ljust(width)}  {kind}  {k.description}")
    if integ.required:
        ways = " | ".join(" + ".join(r) for r in integ.required)
        lines.append(f"required: {ways}")
    if integ.event_types:
        lines.append("event types: " + ", ".join(integ.event_types))
    if integ.receivers:
        lines.append("receivers: " + ", ".join(integ.receivers))
    if integ.sources:
        lines.append("event sources: " + ", ".join(integ.sources))
    return lines


@app.command("list")
def list_(
    ctx: typer.Context,
    name: str = typer.Option("", "-n", "--name", help="name substring"),
    fail: bool = typer.Option(False, "-f", "--fail", help="fail if none found"),
) -> None:
    """List the supported integrations."""
    actx = app_ctx(ctx)
    found = [
        i
        for i in integrations.INTEGRATIONS
        if name.lower() in i.unique_name or name.lower() in i.display_name.lower()
    ]
    check_found(bool(found), fail, "builds")  # upstream's label (cli.md §1)
    if actx.out.is_json:
        actx.out.items([i.to_json() for i in found])
        return
    for i in found:
        secret = sum(k.secret for k in i.keys)
        keys = f"{len(i.keys)} keys ({secret} secret)"
        actx.out.text(f"{i.unique_name:15} {i.display_name:22} {keys}")


@app.command("get")
def get(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="NAME_OR_ID"),
) -> None:
    """An integration's keys (which are secret), event types and receivers."""
    actx = app_ctx(ctx)
    integ = integrations.find(ref)
    if actx.out.is_json:
        actx.out.obj("integration", integ.to_json())
        return
    for line in describe(integ):
        actx.out.text(line)
