"""A client helper inside real runner sessions (durable and not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.runner.helpers import run_files

from .fakeapi import FakeAPI

PROGRAM = """
    from autokitteh.slack import slack_client

    def main(event):
        client = slack_client("slack_conn")
        resp = client.chat_postMessage(channel="C1", text="from a session")
        return resp["ts"]
"""


@pytest.mark.parametrize("durable", [False, True])
def test_slack_client_in_a_session(api: FakeAPI, tmp_path: Path, durable: bool) -> None:
    api.route("POST", "/api/auth.test", (200, {"ok": True, "user_id": "U1"}))
    api.route("POST", "/api/chat.postMessage", (200, {"ok": True, "ts": "9.9"}))
    env = {
        "slack_conn__oauth_access_token": "xoxb-session",
        "slack_conn__base_url": api.url + "/api/",
    }

    outcome, host = run_files(tmp_path, {"main.py": PROGRAM}, durable=durable, env=env)

    assert outcome.state == "completed", outcome.error
    assert outcome.value == "9.9"
    post = api.only("POST", "/api/chat.postMessage")
    assert post.headers["authorization"] == "Bearer xoxb-session"
    if durable:  # the helper runs inline; the API calls are journaled activities
        assert [e.name for e in host.journal] == ["chat_postMessage"]


def test_missing_connection_fails_the_session(tmp_path: Path) -> None:
    outcome, _ = run_files(tmp_path, {"main.py": PROGRAM}, durable=True)

    assert outcome.state == "error"
    assert "AutoKitteh connection 'slack_conn' not initialized; run: " in str(
        outcome.error
    )
    assert "ak connection set <project>/slack_conn oauth_access_token=..." in str(
        outcome.error
    )


ACTIVITY = """
    import autokitteh
    from autokitteh.errors import ConnectionInitError
    from autokitteh.slack import slack_client

    @autokitteh.activity
    def connect():
        return slack_client("slack_conn")

    def main(event):
        try:
            connect()
        except ConnectionInitError as e:
            return [type(e).__name__, str(e), e.connection, list(e.keys)]
"""


def test_connection_error_from_an_activity_keeps_its_message(tmp_path: Path) -> None:
    outcome, host = run_files(tmp_path, {"main.py": ACTIVITY}, durable=True)

    assert outcome.state == "completed", outcome.error
    assert outcome.value == [
        "ConnectionInitError",
        "AutoKitteh connection 'slack_conn' not initialized; run: "
        "ak connection set <project>/slack_conn oauth_access_token=...",
        "slack_conn",
        ["oauth_access_token"],
    ]
    assert [e.name for e in host.journal] == ["connect"]
