"""Scripts written against upstream's Connect API speak protobuf-JSON camelCase.

A session monitor (kittehub's shape) posts `{"stateType": 3}` to
`SessionsService/List` and reads `session["updatedAt"]`, `session["projectId"]`.
Before the fix the server ignored `stateType` (every session came back) and
answered in snake_case, so the script died with `KeyError: 'updatedAt'`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akcli.client import Client
from tests.conftest import run_ak
from tests.server import AkServer

pytestmark = pytest.mark.e2e

MANIFEST = """\
version: v1
project:
  name: wire
  triggers:
    - name: hook
      type: webhook
      call: program.py:ok
"""
PROGRAM = """\
def ok(event):
    print("fine")

def bad(event):
    raise ValueError("boom")
"""
LIST = "/autokitteh.sessions.v1.SessionsService/List"


def _post(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    status, _, data = client.request(
        "POST", LIST, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    assert status == 200, data
    doc: dict[str, Any] = json.loads(data)
    return doc


def test_camel_case_request_gets_camel_case_sessions(tmp_path: Path) -> None:
    work = tmp_path / "wire"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(MANIFEST)
    (work / "program.py").write_text(PROGRAM)
    server = AkServer(tmp_path / "server").start()
    try:
        r = run_ak("deploy", cwd=work, env=server.env)
        assert r.exit_code == 0, r.stdout + r.stderr
        for entry in ("program.py:ok", "program.py:bad"):
            args = ["session", "start", "-o", "wire", "-p", entry, "-w", "-q"]
            run_ak(*args, "--no-fail", "-m", "who=me", env=server.env)
        client = Client(url=server.url, token=server.token)

        errors = _post(client, {"stateType": 3})["sessions"]
        assert [s["entrypoint"]["name"] for s in errors] == ["bad"]
        s = errors[0]
        assert s["state"] == "SESSION_STATE_TYPE_ERROR"
        assert s["updatedAt"] and s["projectId"].startswith("prj_")
        assert s["sessionId"].startswith("ses_") and "session_id" not in s
        assert s["memo"] == {"who": "me"}  # map keys are left as they are

        done = _post(client, {"stateType": "SESSION_STATE_TYPE_COMPLETED"})
        assert [x["entrypoint"]["name"] for x in done["sessions"]] == ["ok"]

        # Our own snake_case requests keep snake_case answers.
        mine = _post(client, {"state": "error"})["sessions"]
        assert "session_id" in mine[0] and "sessionId" not in mine[0]
    finally:
        server.stop()
