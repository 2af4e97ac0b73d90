"""Connections end to end: the real `ak up` (dev mode: a real SQLite file), the
real CLI, real runners with slack_sdk / PyGithub talking to fake APIs on
127.0.0.1, signed and badly signed deliveries."""

from __future__ import annotations

import json
import sys
import time
import urllib.parse
import zipfile
from collections.abc import Iterator

import pytest

from tests.conftest import run_ak
from tests.e2e.connhelpers import (
    ak,
    ak_json,
    deploy_sample,
    events,
    files_containing,
    github_headers,
    post,
    sessions,
    slack_headers,
    slash_body,
    wait_sessions,
)
from tests.server import AkServer
from tests.unit.sdk.fakeapi import FakeAPI, serve

pytestmark = pytest.mark.e2e

BOT_TOKEN = "xoxb-TOKEN-0123456789-never-printed"
SIGNING = "slack-signing-SECRET-abcdef"
PAT = "ghp_PAT_SECRET_0123456789abcdef"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AkServer]:
    tmp = tmp_path_factory.mktemp("conns")
    srv = AkServer(tmp / "home", mode="dev", env={"AK_WORKER_PYTHON": sys.executable})
    srv.start()
    srv.tmp = tmp  # type: ignore[attr-defined]
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    with serve() as fake:
        yield fake


def test_kittehub_shapes_deploy_and_say_what_to_set(server: AkServer) -> None:
    out = deploy_sample(server, "kittehub_shapes", server.tmp)  # type: ignore[attr-defined]
    assert '[exec] create_connection "shapes/slack_conn": con_' in out
    assert '[exec] set_var "shapes/github_conn/target_name": con_' in out
    assert (
        '[!!!!] connection "slack_conn" (slack) is not configured (missing:'
        " oauth_access_token, private_signing_secret); set its keys with:"
        " ak connection set shapes/slack_conn oauth_access_token"
        " private_signing_secret or private_bot_token private_app_token"
    ) in out
    assert '"sheets_conn" (googlesheets) is not configured (missing: JSON)' in out
    assert "webhook URL is http://127.0.0.1:" in out

    again = ak(server, "deploy", cwd=server.tmp / "kittehub_shapes")  # type: ignore[attr-defined]
    assert '[plan] project "shapes": found 4 connections' in again
    assert '[plan] connection "shapes/gemini_conn": no changes needed' in again
    assert "will create" not in again and "will update" not in again

    listed = ak(server, "connection", "list", "-p", "shapes")
    assert listed.count('message:"missing: ') == 4
    trig = ak_json(server, "trigger", "get", "shapes/slack_messages")["trigger"]
    assert (
        trig["source_type"] == "SOURCE_TYPE_CONNECTION" and "code_location" not in trig
    )

    # A connection var from the manifest reaches the handler as <conn>__<key>,
    # and a connection trigger without a call is a subscribe() source.
    conn = ak_json(server, "connection", "get", "shapes/github_conn", "--reveal")
    vals = {v["name"]: v["value"] for v in conn["connection"]["vars"]}
    body = json.dumps({"action": "opened", "pull_request": {"body": ""}}).encode()
    hdrs = github_headers(vals["pat_secret"], body, "pull_request", "pr-1")
    assert post(conn["connection"]["webhook_urls"][0], body, hdrs)[0] == 202
    [ses] = wait_sessions(server, "shapes", 1)
    sid = ses["session_id"]
    assert ses["state"] == "SESSION_STATE_TYPE_COMPLETED", ak(
        server, "session", "log", sid
    )
    assert "target: octocat" in ak(server, "session", "prints", sid)

    zpath = server.tmp / "shapes.zip"  # type: ignore[attr-defined]
    ak(server, "project", "export", "shapes", "-o", str(zpath))
    manifest = zipfile.ZipFile(zpath).read("autokitteh.yaml").decode()
    assert "  - name: slack_conn\n    integration: slack\n" in manifest
    assert "connection: slack_conn\n    event_type: message\n" in manifest


def test_slack_command_end_to_end(server: AkServer, api: FakeAPI) -> None:
    api.route("POST", "/api/auth.test", (200, {"ok": True, "team": "T", "user": "bot"}))
    api.route("POST", "/api/chat.postMessage", (200, {"ok": True, "ts": "1.2"}))
    deploy_sample(server, "slack_cmd", server.tmp)  # type: ignore[attr-defined]
    ref = "slack_cmd/slack_conn"
    got = ak(
        server,
        "connection",
        "set",
        ref,
        "oauth_access_token",
        "private_signing_secret",
        f"base_url={api.url}/api/",
        input=f"{BOT_TOKEN}\n{SIGNING}\n",
    )
    assert got == "status: configured\n"
    assert "auth.test OK" in ak(server, "connection", "test", ref)
    assert (
        api.only("POST", "/api/auth.test").headers["authorization"]
        == f"Bearer {BOT_TOKEN}"
    )

    text = ak(server, "connection", "get", ref)
    js = ak(server, "-J", "connection", "get", ref)
    for shown in (text, js):
        assert BOT_TOKEN not in shown and SIGNING not in shown
        assert "<secret>" in shown
    assert "http://127.0.0.1:" in text and "/slack/command" in text
    assert BOT_TOKEN in ak(server, "connection", "get", ref, "--reveal")

    url = f"{server.url}/slack/command"
    body = slash_body()
    bad = {
        **slack_headers("wrong-secret", body),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    assert post(url, body, bad)[0] == 401
    old = {**slack_headers(SIGNING, body, int(time.time()) - 400)}
    assert post(url, body, old)[0] == 401
    assert post(url, body, {})[0] == 401
    assert events(server, "slack_cmd") == []

    good = {
        **slack_headers(SIGNING, body),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    assert post(url, body, good)[0] == 200
    [ses] = wait_sessions(server, "slack_cmd", 1)
    assert ses["state"] == "SESSION_STATE_TYPE_COMPLETED", ak(
        server, "session", "log", ses["session_id"]
    )
    posted = api.only("POST", "/api/chat.postMessage")
    assert posted.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    sent = posted.json() if posted.body.startswith(b"{") else posted.form()
    assert sent == {"channel": "C42", "text": "/greet world: hello <@U7>"}
    log = ak(server, "session", "log", ses["session_id"])
    prints = ak(server, "session", "prints", ses["session_id"])
    assert "replied in C42" in prints and BOT_TOKEN not in log + prints
    assert ses["memo"]["connection_name"] == "slack_conn"


def test_slack_events_verification_and_retries(server: AkServer) -> None:
    url = f"{server.url}/slack/event"
    challenge = json.dumps({"type": "url_verification", "challenge": "c-123"}).encode()
    status, answer = post(url, challenge, slack_headers(SIGNING, challenge))
    assert (status, json.loads(answer)) == (200, {"challenge": "c-123"})
    assert post(url, challenge, slack_headers("nope", challenge))[0] == 401

    def callback(event_id: str, **event: str) -> bytes:
        payload = {
            "type": "event_callback",
            "event_id": event_id,
            "api_app_id": "A1",
            "authorizations": [{"user_id": "UBOT", "is_bot": True}],
            "event": {"type": "message", "channel": "C1", "ts": "1.0", **event},
        }
        return json.dumps(payload).encode()

    before = len(events(server, "slack_cmd"))
    first = callback("Ev1", user="U1", text="hi")
    assert post(url, first, slack_headers(SIGNING, first))[0] == 200
    retry = {**slack_headers(SIGNING, first), "X-Slack-Retry-Num": "1"}
    assert post(url, first, retry)[0] == 200
    own = callback("Ev2", user="UBOT", text="my own reply")
    assert post(url, own, slack_headers(SIGNING, own))[0] == 200
    after = events(server, "slack_cmd")  # newest first
    new = after[: len(after) - before]
    assert [e["event_type"] for e in new] == ["message"]
    data = new[0]["data"]
    assert data["text"] == "hi" and data["thread_ts"] == "" and data["bot_id"] == ""

    action = {"type": "block_actions", "actions": [{"action_id": "yes"}]}
    form = urllib.parse.urlencode({"payload": json.dumps(action)}).encode()
    hdrs = {
        **slack_headers(SIGNING, form),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    assert post(f"{server.url}/slack/interaction", form, hdrs)[0] == 200
    [latest, *_] = events(server, "slack_cmd")
    assert (latest["event_type"], latest["data"]) == ("interaction", action)


COMMENT = {
    "action": "created",
    "repository": {"full_name": "o/r", "name": "r", "owner": {"login": "o"}},
    "issue": {"number": 7, "title": "t", "body": ""},
    "comment": {"id": 1, "body": "thanks!\n/echo hello world\n/other x"},
}


def test_github_comment_end_to_end(server: AkServer, api: FakeAPI) -> None:
    api.route(
        "GET", "/api/v3/repos/o/r", (200, {"id": 1, "name": "r", "full_name": "o/r"})
    )
    issue = {"number": 7, "title": "t", "url": api.url + "/api/v3/repos/o/r/issues/7"}
    api.route("GET", "/api/v3/repos/o/r/issues/7", (200, issue))
    api.route(
        "POST", "/api/v3/repos/o/r/issues/7/comments", (201, {"id": 99, "body": "x"})
    )
    api.route("GET", "/api/v3/user", (200, {"login": "kitteh", "id": 5}))
    out = deploy_sample(server, "github_cmd", server.tmp)  # type: ignore[attr-defined]
    assert "/github/webhook/" in out
    ref = "github_cmd/github_conn"
    ak(
        server,
        "connection",
        "set",
        ref,
        "pat",
        f"enterprise_url={api.url}",
        input=PAT + "\n",
    )
    assert "user 'kitteh'" in ak(server, "connection", "test", ref)
    conn = ak_json(server, "connection", "get", ref, "--reveal")["connection"]
    vals = {v["name"]: v["value"] for v in conn["vars"]}
    url = f"{server.url}/github/webhook/{vals['pat_key']}"
    assert conn["webhook_urls"] == [url]

    body = json.dumps(COMMENT).encode()
    bad = github_headers("wrong", body, "issue_comment", "d-bad")
    assert post(url, body, bad)[0] == 401
    assert post(url, body, {"X-GitHub-Event": "issue_comment"})[0] == 401
    assert events(server, "github_cmd") == []

    good = github_headers(vals["pat_secret"], body, "issue_comment", "d-1")
    assert post(url, body, good)[0] == 202
    assert post(url, body, good)[0] == 202  # GitHub's redelivery: same ID
    stored = events(server, "github_cmd")
    assert sorted(e["event_type"] for e in stored) == [
        "issue_comment",
        "slash_command",
        "slash_command",
    ]
    main = next(e for e in stored if e["event_type"] == "issue_comment")
    assert main["data"]["slash_commands"] == [
        {"name": "echo", "args": ["hello", "world"], "raw": "/echo hello world"},
        {"name": "other", "args": ["x"], "raw": "/other x"},
    ]
    [ses] = wait_sessions(server, "github_cmd", 1)
    assert ses["state"] == "SESSION_STATE_TYPE_COMPLETED", ak(
        server, "session", "log", ses["session_id"]
    )
    time.sleep(0.5)
    assert len(sessions(server, "github_cmd")) == 1
    posted = api.only("POST", "/api/v3/repos/o/r/issues/7/comments")
    assert posted.json() == {"body": "hello world"}
    assert posted.headers["authorization"] == f"token {PAT}"


def test_connection_test_failures_and_openai(server: AkServer, api: FakeAPI) -> None:
    bad = {"ok": False, "error": "invalid_auth"}
    api.route("POST", "/api/auth.test", (200, bad))
    models = {
        "object": "list",
        "data": [{"id": "m1", "object": "model", "created": 0, "owned_by": "o"}],
    }
    api.route("GET", "/v1/models", (200, models))
    ak(server, "project", "create", "-n", "ctest")
    ak(server, "connection", "create", "s", "-i", "slack", "-p", "ctest", "-q")
    ak(server, "connection", "create", "o", "-i", "openai", "-p", "ctest", "-q")
    ak(
        server,
        "connection",
        "set",
        "ctest/s",
        "oauth_access_token=xoxb-BAD-TOKEN-123",
        "private_signing_secret=x",
        f"base_url={api.url}/api/",
    )
    r = run_ak("connection", "test", "ctest/s", env=server.env)
    assert r.exit_code == 1
    assert r.stderr.startswith(
        "Error: connection test failed: auth.test failed: SlackApiError"
    )
    assert "invalid_auth" in r.stderr and "xoxb-BAD-TOKEN-123" not in r.stderr
    ak(
        server,
        "connection",
        "set",
        "ctest/o",
        "apiKey",
        f"base_url={api.url}/v1",
        input="sk-1\n",
    )
    assert (
        ak(server, "connection", "test", "ctest/o")
        == "status: GET /models OK: 1 models\n"
    )
    assert api.only("GET", "/v1/models").headers["authorization"] == "Bearer sk-1"


def test_set_prompts_hidden_on_a_terminal(server: AkServer) -> None:
    """A bare KEY on a terminal asks with a prompt that does not echo."""
    import os
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the real CLI on a pseudo-terminal
        os.environ.update(server.env)
        ref = "slack_cmd/slack_conn"
        os.execv(
            sys.executable,
            [
                sys.executable,
                "-m",
                "akcli",
                "connection",
                "set",
                ref,
                "oauth_access_token",
            ],
        )
    out = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if out.endswith(b"oauth_access_token: "):
            os.write(fd, BOT_TOKEN.encode() + b"\n")
    os.waitpid(pid, 0)
    os.close(fd)
    assert out.replace(b"\r", b"") == b"oauth_access_token: \nstatus: configured\n"


def test_secrets_in_no_file_log_or_output(server: AkServer) -> None:
    """Runs last in this module: every secret set above is nowhere in plaintext."""
    home = server.home
    for secret in (BOT_TOKEN, SIGNING, PAT, "xoxb-BAD-TOKEN-123"):
        assert files_containing(home, secret.encode()) == [], secret
    for ses in sessions(server, "slack_cmd") + sessions(server, "github_cmd"):
        sid = ses["session_id"]
        shown = ak(server, "session", "log", sid) + ak(server, "session", "prints", sid)
        shown += ak(server, "-J", "session", "get", sid)
        assert BOT_TOKEN not in shown and PAT not in shown
