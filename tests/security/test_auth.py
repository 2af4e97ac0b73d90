"""Issue 11 item 2: every RPC needs the server's token, also on 127.0.0.1.

Before, any local user could call the loopback API: reveal every secret
(`VarsService/Get {"reveal": true}`) and deploy and run code as the server's
user. The token is created by `ak up` in `<config home>/credentials` (0600);
the CLI sends it by itself; webhooks and health checks stay public.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.faults.conftest import Env
from tests.security.conftest import as_nobody, project

pytestmark = pytest.mark.faults

LIST = "/autokitteh.projects.v1.ProjectsService/List"
REVEAL = "/autokitteh.vars.v1.VarsService/Get"


def test_rpc_without_token_is_401_and_cli_works(env: Env) -> None:
    env.deploy("p", project("p", "def main(event):\n    print('hi')\n"))
    env.ok("var", "set", "-p", "p", "--secret", "API_KEY", "s3cr3t")
    for path, body in ((LIST, b"{}"), (REVEAL, b'{"reveal": true}')):
        status, _, data = env.request("POST", path, body)
        assert status == 401, data
        assert json.loads(data)["code"] == "unauthenticated"
        assert b"s3cr3t" not in data
    bad = {"Authorization": "Bearer nope"}
    assert env.request("POST", LIST, b"{}", bad)[0] == 401
    ok = env.request("POST", LIST, b"{}", env.server.auth)
    assert ok[0] == 200, ok
    # No flags: the CLI found the token itself. A wrong one: exit 41.
    assert "p" in env.ok("project", "list")
    r = env.ak("--token", "nope", "project", "list")
    assert r.exit_code == 41, r.stdout + r.stderr
    assert r.stderr.startswith("Error: missing or bad API token")
    # Public: health, readiness.
    assert env.request("GET", "/healthz")[0] == 200
    assert env.request("GET", "/readyz")[0] == 200


def test_webhooks_stay_public(env: Env) -> None:
    manifest = (
        "version: v2\nproject:\n  name: w\n  triggers:\n"
        "    - name: hook\n      type: webhook\n      call: program.py:main\n"
    )
    env.deploy(
        "w", {"autokitteh.yaml": manifest, "program.py": "def main(e):\n  pass\n"}
    )
    slug = env.slug("w", "hook")
    status, _, data = env.request("POST", f"/webhooks/{slug}", b"{}")
    assert status == 202, data


def test_token_file_is_private(env: Env) -> None:
    creds = env.server.home / "xdg_config_home" / "autokitteh" / "credentials"
    assert creds.stat().st_mode & 0o777 == 0o600
    assert creds.parent.stat().st_mode & 0o777 == 0o700
    assert len(env.server.token) >= 32


def test_other_local_user_cannot_call_the_api(env: Env, tmp_path: Path) -> None:
    """Played by uid 65534: no token to read, and the API refuses it."""
    creds = env.server.home / "xdg_config_home" / "autokitteh" / "credentials"
    r = as_nobody("cat", str(creds))
    assert r.returncode != 0
    code = (
        "import http.client, sys\n"
        f"c = http.client.HTTPConnection({env.server.url.split('//')[1]!r})\n"
        f"c.request('POST', {REVEAL!r}, body=b'{{}}')\n"
        "print(c.getresponse().status)\n"
    )
    r = as_nobody(sys.executable, "-I", "-c", code)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "401"


def test_authorized_helper_for_the_ui() -> None:
    """The check the web UI reuses: header or cookie, never an empty token."""
    from starlette.requests import Request

    from akcli.server.auth import COOKIE, authorized, valid_token

    class Srv:
        token = "t0k"

    def req(headers: dict[str, str]) -> Request:
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        return Request({"type": "http", "headers": raw})

    srv = Srv()
    assert authorized(srv, req({"Authorization": "Bearer t0k"}))  # type: ignore[arg-type]
    assert authorized(srv, req({"Cookie": f"{COOKIE}=t0k"}))  # type: ignore[arg-type]
    assert not authorized(srv, req({"Cookie": f"{COOKIE}=t0k"}), cookie=False)  # type: ignore[arg-type]
    assert not authorized(srv, req({"Authorization": "Bearer x"}))  # type: ignore[arg-type]
    assert valid_token(srv, "t0k") and not valid_token(srv, "t0")  # type: ignore[arg-type]
    srv.token = ""
    assert not valid_token(srv, "")  # type: ignore[arg-type]
    assert not authorized(srv, req({"Authorization": "Bearer "}))  # type: ignore[arg-type]
