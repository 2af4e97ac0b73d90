"""`ak session test <file.txtar>`: deploy, run one session, compare (runtime.md §6)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from akcli.cli import app_ctx
from akcli.commands.sessions import app
from akcli.commands.sessions.common import FINAL, all_log, duration
from akcli.errors import AkError, NotFound, UsageError
from akcli.sessiontest import Case, applies, compare, load_case

if TYPE_CHECKING:
    from akcli.client import Client


def _deploy(client: Client, project: str, case: Case) -> str:
    """Upload the case's files to the project, build, deploy and activate."""
    resp = client.call("projects", "Get", {"project_id": project})
    if "project" not in resp:
        if project.startswith("prj_"):
            raise NotFound(f'project "{project}" not found')
        client.call("projects", "Create", {"project": {"name": project}})
    from akcli.deploy import build_project, deploy_build

    files = {name: text.encode() for name, text in case.sources.items()}
    return deploy_build(client, project, build_project(client, project, files))


def _wait(client: Client, sid: str, timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        ses = client.call("sessions", "Get", {"session_id": sid}).get("session", {})
        state = str(ses.get("state", "")).removeprefix("SESSION_STATE_TYPE_")
        if state in FINAL:
            return dict(ses)
        if time.monotonic() >= deadline:
            body = {"session_id": sid, "reason": "session test timeout", "force": True}
            client.call("sessions", "Stop", body)
            raise AkError(f"session {sid} did not end within {timeout:g}s ({state})")
        time.sleep(0.1)


@app.command("test")
def test(
    ctx: typer.Context,
    path: Path = typer.Argument(..., metavar="FILE.txtar|DIR"),
    project: str = typer.Option("", "-p", "--project", help="project name or ID"),
    deployment_id: str = typer.Option(
        "", "-d", "--deployment-id", help="run in this deployment (no upload)"
    ),
    timeout: str = typer.Option("60s", "-t", "--timeout", help="session timeout"),
    durable: bool = typer.Option(False, "-D", "--durable", help="durable session"),
    no_ts: bool = typer.Option(False, "--no-timestamps", help="(accepted)"),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="no PASS line"),
    chaos: bool = typer.Option(
        False, "--chaos", help="kill after each activity; compare with a clean run"
    ),
    kill: str = typer.Option(
        "runner", "--kill", metavar="runner|server", help="what --chaos kills"
    ),
    entry: str = typer.Option(
        "", "-e", "--entry", help="with --chaos and a directory: file.py:function"
    ),
    inputs: str = typer.Option("{}", "--input", help="with --chaos: inputs (JSON)"),
) -> None:
    """Run a session test file: expected prints, calls.txt, error.txt."""
    if chaos:
        from akcli.commands.sessions.chaos_cmd import run as run_chaos

        run_chaos(ctx, path, kill, entry, inputs, duration(timeout, "timeout"))
        return
    if not project:
        raise UsageError('required flag(s) "project" not set')
    if not path.is_file():
        raise NotFound(f'session test file "{path}" not found')
    limit = duration(timeout, "timeout")
    mode = "durable" if durable else "nondurable"
    if not applies(path.name, durable):
        if not quiet:
            typer.echo(f"SKIP {path} (not a {mode} test)")
        return
    case = load_case(path.read_text(), durable)
    client = app_ctx(ctx).client
    did = deployment_id or _deploy(client, project, case)
    body = {
        "session": {
            "deployment_id": did,
            "entrypoint": {"path": case.entry_path, "name": case.entry_name},
            "is_durable": durable,
        }
    }
    sid = str(client.call("sessions", "Start", body)["session_id"])
    ses = _wait(client, sid, limit)
    state = str(ses["state"]).removeprefix("SESSION_STATE_TYPE_").lower()
    prints = client.call("sessions", "GetPrints", {"session_id": sid})
    calls = [
        str(rec["call_spec"].get("function", {}).get("name", ""))
        for rec in all_log(client, sid)
        if isinstance(rec.get("call_spec"), dict)
    ]
    problems = compare(
        case,
        durable,
        [str(p["v"]) for p in prints.get("prints", [])],
        calls,
        state,
        str(ses.get("error", "")),
    )
    if problems:
        typer.echo("\n".join(problems))
        raise AkError(f"session test {path} failed ({mode}, session {sid})")
    if not quiet:
        typer.echo(f"PASS {path} ({mode}, session {sid})")
