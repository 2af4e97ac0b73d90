"""`ak connection test`: build the client as a session would, make one cheap call.

The check runs in a subprocess of the worker python (the interpreter sessions
use, where the client libraries are installed) with the connection's vars in
its environment, through the SDK's client helpers: what passes here works in a
handler. Its output is one JSON line; secrets never appear in it.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from typing import Any

from akcli import integrations
from akcli.engine.session_env import plain_vars
from akcli.errors import AkError
from akcli.server.state import Server
from akcli.store.interface.connections import ConnectionRow

TIMEOUT = 30.0

# Per integration: Python run with `name` bound to the connection name; it
# returns a short description of who the credentials belong to.
_CHECKS = {
    "slack": (
        "from autokitteh.slack import slack_client\n"
        "slack_client(name)  # calls auth.test itself\n"
        "result = 'the token is valid'\n"
    ),
    "github": (
        "from autokitteh.github import github_client\n"
        "g = github_client(name)\n"
        "if os.environ.get(name + '__pat'):\n"
        "    result = 'user ' + repr(g.get_user().login)\n"
        "else:\n"
        "    result = 'app installation ' + os.environ.get(name + '__install_id', '')\n"
    ),
    "chatgpt": (
        "from autokitteh.openai import openai_client\n"
        "result = f'{len(list(openai_client(name).models.list()))} models'\n"
    ),
    "discord": (
        "import urllib.request\n"
        "base = os.environ.get(name + '__base_url') or 'https://discord.com/api/v10'\n"
        "req = urllib.request.Request(base.rstrip('/') + '/users/@me',\n"
        "    headers={'Authorization': 'Bot ' + os.environ[name + '__BotToken']})\n"
        "with urllib.request.urlopen(req, timeout=20) as r:\n"
        "    result = 'bot ' + repr(json.load(r).get('username'))\n"
    ),
}

# The rest: build the client with its SDK helper (which checks the keys and,
# for some, already talks to the API), without a further call.
_BUILDERS = {
    "jira": "atlassian.jira_client(name)",
    "confluence": "atlassian.confluence_client(name)",
    "googlesheets": "google.google_sheets_client(name)",
    "googlecalendar": "google.google_calendar_client(name)",
    "googledrive": "google.google_drive_client(name)",
    "googleforms": "google.google_forms_client(name)",
    "gmail": "google.gmail_client(name)",
    "youtube": "google.youtube_client(name)",
    "google": "google.google_sheets_client(name)",
    "googlegemini": "google.gemini_client(name)",
    "anthropic": "anthropic.anthropic_client(name)",
    "twilio": "twilio.twilio_client(name)",
    "asana": "asana.asana_client(name)",
    "notion": "notion.notion_client(name)",
    "pipedrive": "pipedrive.pipedrive_client(name)",
    "reddit": "reddit.reddit_client(name)",
    "telegram": "telegram.telegram_client(name)",
    "airtable": "airtable.airtable_client(name)",
    "hubspot": "hubspot.hubspot_client(name)",
    "auth0": "auth0.auth0_client(name)",
    "linear": "linear.linear_client(name)",
}
_CHECKS["aws"] = (
    "from autokitteh.aws import boto3_client\n"
    "who = boto3_client(name, 'sts').get_caller_identity()\n"
    "result = 'account ' + repr(who.get('Account'))\n"
)
for _name, _expr in _BUILDERS.items():
    _module = _expr.split(".")[0]
    _CHECKS[_name] = (
        f"from autokitteh import {_module}\n"
        f"{_expr}\n"
        "result = 'client built (no API call made)'\n"
    )

_WRAPPER = """
import json, os, sys
name = sys.argv[1]
try:
{body}
    print(json.dumps({{"ok": True, "message": result}}))
except Exception as e:
    print(json.dumps({{"ok": False, "message": type(e).__name__ + ": " + str(e)}}))
"""


def _script(integration: str) -> str | None:
    body = _CHECKS.get(integration)
    if body is None:
        return None
    return _WRAPPER.format(body="".join("    " + ln + "\n" for ln in body.splitlines()))


def _python(srv: Server) -> str:
    """The worker python, else the default venv's (where sessions' packages are)."""
    worker = os.environ.get("AK_WORKER_PYTHON")
    if worker:
        return worker
    from akcli.venvs import default_requirements, is_complete

    target = srv.paths.venvs_dir / "default"
    if is_complete(target, default_requirements(srv.config)):
        return str(target / "bin" / "python")
    raise AkError(
        "the default Python environment is not built yet (ak up builds it in the"
        " background; `ak deploy` waits for it): try again once it is"
    )


def _env(srv: Server, row: ConnectionRow, sdk_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env["PYTHONPATH"] = sdk_dir
    env[f"{row.name}__connection_id"] = row.connection_id
    for key, value in plain_vars(srv, row.connection_id).items():
        env[f"{row.name}__{key}"] = value
    return env


def _present(srv: Server, connection_id: str) -> set[str]:
    """The names of the connection's vars whose stored value is not empty."""
    return {v.name for v in srv.store.vars.in_scope(connection_id) if v.value != ""}


def status(srv: Server, row: ConnectionRow) -> dict[str, str]:
    missing = integrations.by_name(row.integration).missing(
        _present(srv, row.connection_id)
    )
    if missing:
        return {"code": "CODE_WARNING", "message": "missing: " + ", ".join(missing)}
    return {"code": "CODE_OK", "message": "configured"}


async def run_test(srv: Server, row: ConnectionRow) -> dict[str, Any]:
    integ = integrations.by_name(row.integration)
    st = status(srv, row)
    if st["code"] != "CODE_OK":
        return _result(False, f"not configured, {st['message']}")
    script = _script(integ.unique_name)
    if script is None:
        return _result(True, f"configured (nothing to test for {integ.display_name})")
    from akcli.engine.runner_pool import runner_package_dir

    with tempfile.TemporaryDirectory(prefix="ak-conntest-") as sdk_dir:
        # Only the SDK on the path: the runner's own modules must not shadow
        # the user's packages.
        os.symlink(
            os.path.join(runner_package_dir(), "autokitteh"), f"{sdk_dir}/autokitteh"
        )
        proc = await asyncio.create_subprocess_exec(
            _python(srv),
            "-c",
            script,
            row.name,
            env=_env(srv, row, sdk_dir),
            cwd=sdk_dir,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            what = integ.test_call or f"{integ.display_name} client"
            return _result(False, f"{what}: no answer in {TIMEOUT:.0f}s")
    lines = out.decode(errors="replace").strip().splitlines()
    try:
        got = json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = err.decode(errors="replace").strip().splitlines()[-1:]
        return _result(False, f"test did not run: {' '.join(tail) or 'no output'}")
    msg = str(got.get("message", ""))
    for secret in _secrets(srv, row):  # an error text may quote a token
        msg = msg.replace(secret, "<secret>")
    what = integ.test_call or f"{integ.display_name} client"
    if got.get("ok"):
        return _result(True, f"{what} OK: {msg}")
    return _result(False, f"{what} failed: {msg}")


def _secrets(srv: Server, row: ConnectionRow) -> list[str]:
    integ = integrations.by_name(row.integration)
    vals = plain_vars(srv, row.connection_id)
    return [v for k, v in vals.items() if integ.is_secret(k) and len(v) >= 4]


def _result(ok: bool, message: str) -> dict[str, Any]:
    code = "CODE_OK" if ok else "CODE_ERROR"
    return {"status": {"code": code, "message": message}}
