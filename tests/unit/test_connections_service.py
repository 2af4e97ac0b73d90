"""The connections service in-process: status, secrets at rest, env, dispatch
of connection events to every trigger on the connection, the registry."""

from __future__ import annotations

import json

import pytest

from akcli import integrations
from akcli.engine.dispatch import dispatch_pending
from akcli.engine.session_env import connection_env
from akcli.errors import AlreadyExists, BadRequest, NotFound
from akcli.server.receivers.common import Conn, store
from akcli.server.receivers.github import slash_commands
from akcli.server.receivers.others import twilio_signature
from akcli.server.receivers.slack import events_api
from akcli.server.services import connections, triggers
from akcli.server.services.connections import values
from akcli.server.state import Server
from tests.unit.test_dispatch import _project


def _conn(srv: Server, integration: str = "slack", name: str = "c") -> str:
    body = {"connection": {"name": name, "project_id": "p", "integration": integration}}
    return str(connections.create(srv, body)["connection_id"])


def test_status_secrets_and_env(srv: Server) -> None:
    _project(srv)
    cid = _conn(srv)
    got = connections.get(srv, {"connection_id": "p/c"})["connection"]
    assert got["status"] == {
        "code": "CODE_WARNING",
        "message": "missing: oauth_access_token, private_signing_secret",
    }
    vars_ = [
        {"name": "oauth_access_token", "value": "xoxb-SECRET"},
        {"name": "private_signing_secret", "value": "sig-SECRET"},
        {"name": "base_url", "value": "http://x/api/"},
    ]
    resp = connections.set_vars_rpc(srv, {"connection_id": cid, "vars": vars_})
    assert resp["connection"]["status"] == {"code": "CODE_OK", "message": "configured"}
    rows = {
        r["name"]: r for r in srv.db.all("SELECT * FROM vars WHERE scope_id = ?", cid)
    }
    assert rows["oauth_access_token"]["is_secret"] == 1
    assert "SECRET" not in rows["oauth_access_token"]["value"]  # encrypted at rest
    assert (
        rows["base_url"]["is_secret"] == 0
        and rows["base_url"]["value"] == "http://x/api/"
    )
    hidden = connections.get(srv, {"connection_id": cid, "with_vars": True})
    shown = {v["name"]: v["value"] for v in hidden["connection"]["vars"]}
    assert shown["oauth_access_token"] == "<secret>" and "SECRET" not in json.dumps(
        hidden
    )
    env = connection_env(srv, got["project_id"])
    assert env["c__oauth_access_token"] == "xoxb-SECRET"
    assert env["c__connection_id"] == cid
    with pytest.raises(AlreadyExists):
        _conn(srv)
    with pytest.raises(NotFound, match='integration "telepathy" not found'):
        _conn(srv, "telepathy", "t")


def test_github_connection_gets_webhook_key_and_secret(srv: Server) -> None:
    _project(srv)
    cid = _conn(srv, "github", "gh")
    vals = values(srv, cid)
    assert len(vals["pat_key"]) >= 16 and len(vals["pat_secret"]) >= 32
    urls = connections.get(srv, {"connection_id": cid})["connection"]["webhook_urls"]
    assert urls == [f"http://127.0.0.1:9/github/webhook/{vals['pat_key']}"]


def test_connection_events_reach_every_matching_trigger(srv: Server) -> None:
    pid = _project(srv)
    cid = _conn(srv)

    def trig(name: str, **fields: object) -> str:
        t = {
            "project_id": pid,
            "name": name,
            "source_type": "connection",
            "connection_id": "c",
        }
        return str(triggers.create(srv, {"trigger": {**t, **fields}})["trigger_id"])

    call = {"code_location": {"path": "main.py", "name": "on"}}
    on_msg = trig("on_msg", event_type="message", filter="data.thread_ts == ''", **call)
    trig("any_with_call", **call)
    trig("no_call", event_type="message")
    with pytest.raises(BadRequest, match="connection is only valid"):
        triggers.create(
            srv,
            {
                "trigger": {
                    "project_id": pid,
                    "name": "w",
                    "source_type": "webhook",
                    "connection_id": cid,
                }
            },
        )
    conn = Conn(srv.store.connections.list_for_project(pid)[0], {})
    [top], retry = store(srv, conn, [("message", {"thread_ts": ""})], "Ev1")
    assert not retry
    assert store(srv, conn, [("message", {"thread_ts": ""})], "Ev1") == ([top], True)
    [reply], _ = store(srv, conn, [("message", {"thread_ts": "1.0"})], "Ev2")
    assert dispatch_pending(srv) == 2
    by_event = {
        e: sorted(
            r["trigger_id"]
            for r in srv.db.all("SELECT * FROM sessions WHERE event_id = ?", e)
        )
        for e in (top, reply)
    }
    assert len(by_event[top]) == 2 and on_msg in by_event[top]
    assert len(by_event[reply]) == 1 and on_msg not in by_event[reply]
    ses = srv.db.one("SELECT memo FROM sessions WHERE trigger_id = ?", on_msg)
    assert ses is not None
    memo = json.loads(ses["memo"])
    assert (memo["connection_id"], memo["connection_name"]) == (cid, "c")


def test_receiver_shapes() -> None:
    payload = {
        "type": "event_callback",
        "authorizations": [{"user_id": "UB", "is_bot": True}],
        "event": {"type": "message", "user": "U1", "text": "hi"},
    }
    got = events_api(payload)
    assert got is not None and got[0] == "message"
    assert (
        got[1]["thread_ts"] == "" and got[1]["subtype"] == "" and got[1]["text"] == "hi"
    )
    mine = {**payload, "event": {"type": "message", "user": "UB"}}
    assert events_api(mine) is None
    body = {"comment": {"body": "x\n /deploy prod now\n//no\n/"}}
    assert slash_commands("issue_comment", body) == [
        {"name": "deploy", "args": ["prod", "now"], "raw": "/deploy prod now"}
    ]
    # Twilio's documented example (auth token 12345).
    form = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, form) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_registry() -> None:
    ids = [i.integration_id for i in integrations.INTEGRATIONS]
    assert len(set(ids)) == len(ids)
    assert integrations.find("test").integration_id == "int_3kth00testaf9d33c5697341f0"
    assert integrations.find("openai").unique_name == "chatgpt"
    assert integrations.find("Atlassian Jira").unique_name == "jira"
    gh = integrations.find("github")
    assert gh.missing({"app_id"}) == ["pat"]
    assert gh.missing({"app_id", "install_id", "private_key"}) == []
    assert integrations.set_ways(gh) == "pat or app_id=... install_id=... private_key"
    from akcli.ids import is_id

    assert all(is_id(i, "int") for i in ids)
