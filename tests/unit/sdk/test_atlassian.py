"""autokitteh.atlassian with the real atlassian-python-api against a fake."""

from __future__ import annotations

import base64

import pytest

from .fakeapi import FakeAPI

ME = {"accountId": "a1", "displayName": "Kitteh"}


def test_jira_cloud_basic_auth(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.atlassian import get_base_url, jira_client

    api.route("GET", "/rest/api/2/myself", (200, ME))
    monkeypatch.setenv("jira__BaseURL", api.url)
    monkeypatch.setenv("jira__Token", "api-token")
    monkeypatch.setenv("jira__Email", "me@example.com")

    assert jira_client("jira").myself() == ME
    basic = base64.b64encode(b"me@example.com:api-token").decode()
    assert (
        api.only("GET", "/rest/api/2/myself").headers["authorization"]
        == f"Basic {basic}"
    )
    assert get_base_url("jira") == api.url


def test_confluence_personal_access_token(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autokitteh.atlassian import confluence_client

    space = {"key": "CAT", "name": "Cats"}
    api.route("GET", "/rest/api/space/CAT", (200, space))
    monkeypatch.setenv("conf__BaseURL", api.url)
    monkeypatch.setenv("conf__Token", "pat-1")

    assert confluence_client("conf").get_space("CAT") == space
    assert (
        api.only("GET", "/rest/api/space/CAT").headers["authorization"]
        == "Bearer pat-1"
    )


def test_atlassian_oauth_connection_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.atlassian import confluence_client, jira_client
    from autokitteh.errors import AtlassianOAuthError

    monkeypatch.setenv("j__oauth_AccessToken", "x")
    for helper in (jira_client, confluence_client):
        with pytest.raises(AtlassianOAuthError) as e:
            helper("j")
        assert str(e.value) == (
            "API calls not supported by 'j', use a token-based connection instead"
        )


def test_atlassian_missing_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.atlassian import get_base_url, jira_client
    from autokitteh.errors import ConnectionInitError

    monkeypatch.setenv("j__BaseURL", "https://x.atlassian.net")
    with pytest.raises(
        ConnectionInitError, match="ak connection set <project>/j Token=...$"
    ):
        jira_client("j")
    assert get_base_url("j") == "https://x.atlassian.net"
    assert get_base_url("other") is None
    monkeypatch.setenv("other__AccessURL", "https://y.atlassian.net")
    assert get_base_url("other") == "https://y.atlassian.net"
