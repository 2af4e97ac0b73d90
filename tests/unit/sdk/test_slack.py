"""autokitteh.slack with the real slack_sdk against a fake Slack Web API."""

from __future__ import annotations

import pytest

from .fakeapi import FakeAPI

AUTH_OK = {"ok": True, "user_id": "U0BOT", "team_id": "T1", "bot_id": "B1"}


def test_slack_client_posts_with_bearer_token(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autokitteh.slack import slack_client

    api.route("POST", "/api/auth.test", (200, AUTH_OK))
    api.route("POST", "/api/chat.postMessage", (200, {"ok": True, "ts": "1.2"}))
    monkeypatch.setenv("slack_conn__oauth_access_token", "xoxb-secret")
    monkeypatch.setenv("slack_conn__base_url", api.url + "/api")

    client = slack_client("slack_conn")
    resp = client.chat_postMessage(channel="C1", text="hi there")

    assert resp["ts"] == "1.2"
    auth = api.only("POST", "/api/auth.test")  # checked once, at creation
    assert auth.headers["authorization"] == "Bearer xoxb-secret"
    post = api.only("POST", "/api/chat.postMessage")
    assert post.headers["authorization"] == "Bearer xoxb-secret"
    assert post.json() == {"channel": "C1", "text": "hi there"}


@pytest.mark.parametrize(
    "key", ["oauth_access_token", "private_bot_token", "oauth_AccessToken", "BotToken"]
)
def test_slack_token_keys(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    from autokitteh.slack import slack_client

    api.route("POST", "/api/auth.test", (200, AUTH_OK))
    monkeypatch.setenv(f"s__{key}", f"tok-{key}")
    slack_client("s", base_url=api.url + "/api/")
    assert (
        api.only("POST", "/api/auth.test").headers["authorization"]
        == f"Bearer tok-{key}"
    )


def test_slack_key_order(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.slack import slack_client

    api.route("POST", "/api/auth.test", (200, AUTH_OK))
    monkeypatch.setenv("s__BotToken", "legacy")
    monkeypatch.setenv("s__private_bot_token", "socket")
    monkeypatch.setenv("s__base_url", api.url + "/api/")
    slack_client("s")
    assert (
        api.only("POST", "/api/auth.test").headers["authorization"] == "Bearer socket"
    )


def test_slack_bad_token_raises_slack_api_error(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autokitteh.slack import slack_client
    from slack_sdk.errors import SlackApiError

    api.route("POST", "/api/auth.test", (200, {"ok": False, "error": "invalid_auth"}))
    monkeypatch.setenv("s__oauth_access_token", "bad")
    monkeypatch.setenv("s__base_url", api.url + "/api")
    with pytest.raises(SlackApiError, match="invalid_auth"):
        slack_client("s")


def test_slack_missing_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.errors import ConnectionInitError
    from autokitteh.slack import slack_client

    monkeypatch.setenv("AK_PROJECT_NAME", "myproj")
    with pytest.raises(ConnectionInitError) as e:
        slack_client("my_slack")
    assert str(e.value) == (
        "AutoKitteh connection 'my_slack' not initialized; run: "
        "ak connection set myproj/my_slack oauth_access_token=..."
    )


def test_slack_invalid_connection_name() -> None:
    from autokitteh.slack import slack_client

    with pytest.raises(ValueError, match="Invalid AutoKitteh connection name: '1x'"):
        slack_client("1x")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("", ""),
        ("Hello World", "hello-world"),
        ('  It\'s "Quoted"  ', "its-quoted"),
        ("a__b--c _-d", "a-b-c-d"),
        ("-lead and trail-", "lead-and-trail"),
        ("#general!", "general"),
        ("x" * 60, "x" * 50),
        ("Ünïcode ok_1", "n-code-ok_1"),
    ],
)
def test_normalize_channel_name(text: str, want: str) -> None:
    from autokitteh.slack import normalize_channel_name

    assert normalize_channel_name(text) == want
