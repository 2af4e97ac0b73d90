"""The other client helpers with their real libraries against fake APIs."""

from __future__ import annotations

import asyncio
import base64

import pytest

from .fakeapi import FakeAPI, Request


def _setenv(monkeypatch: pytest.MonkeyPatch, conn: str, **keys: str) -> None:
    for key, value in keys.items():
        monkeypatch.setenv(f"{conn}__{key}", value)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_twilio_send_message(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("twilio")
    from autokitteh.twilio import twilio_client

    path = "/2010-04-01/Accounts/AC123/Messages.json"
    api.route("POST", path, (201, {"sid": "SM1", "status": "queued", "body": "hi"}))
    _setenv(
        monkeypatch,
        "tw",
        AccountSID="AC123",
        Username="SK9",
        Password="secret",
        base_url=api.url,
    )

    msg = twilio_client("tw").messages.create(
        to="+15550001", from_="+15550002", body="hi"
    )

    assert msg.sid == "SM1"
    req = api.only("POST", path)
    assert req.headers["authorization"] == _basic("SK9", "secret")
    assert req.form() == {"To": "+15550001", "From": "+15550002", "Body": "hi"}


def test_boto3_dynamodb(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("boto3")
    from autokitteh.aws import boto3_client

    api.route("POST", "/", (200, {"TableNames": ["cats"]}))
    _setenv(
        monkeypatch,
        "aws",
        AccessKeyID="AKIDTEST",
        SecretKey="s3cr3t",
        Region="eu-west-1",
        base_url=api.url,
    )

    assert boto3_client("aws", "dynamodb").list_tables()["TableNames"] == ["cats"]
    req = api.only("POST", "/")
    assert req.headers["x-amz-target"] == "DynamoDB_20120810.ListTables"
    assert "Credential=AKIDTEST/" in req.headers["authorization"]
    assert "/eu-west-1/dynamodb/aws4_request" in req.headers["authorization"]


def test_boto3_needs_service() -> None:
    from autokitteh.aws import boto3_client

    with pytest.raises(ValueError, match="AWS service name is required"):
        boto3_client("aws", "")


@pytest.mark.filterwarnings("ignore:'audioop' is deprecated:DeprecationWarning")
def test_discord_login(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    import discord
    from autokitteh.discord import bot_token, discord_client

    me = {"id": "1", "username": "kitteh", "discriminator": "0", "avatar": None}
    api.route("GET", "/api/v10/users/@me", (200, me))
    app = {
        "id": "2",
        "name": "kitteh",
        "icon": None,
        "description": "",
        "bot_public": True,
    }
    app.update(bot_require_code_grant=False, verify_key="00", flags=0, owner=me)
    api.route("GET", "/api/v10/oauth2/applications/@me", (200, app))
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    _setenv(monkeypatch, "dc", BotToken="bot-tok", base_url=api.url + "/api/v10")

    client = discord_client("dc")

    async def login() -> str:
        try:
            await client.login(bot_token("dc"))
            assert client.user is not None
            return client.user.name
        finally:
            await client.close()

    assert asyncio.run(login()) == "kitteh"
    assert (
        api.only("GET", "/api/v10/users/@me").headers["authorization"] == "Bot bot-tok"
    )


def test_asana_me(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    import asana
    from autokitteh.asana import asana_client

    api.route(
        "GET", "/api/1.0/users/me", (200, {"data": {"gid": "7", "name": "Kitteh"}})
    )
    _setenv(monkeypatch, "as", pat="asana-pat", base_url=api.url + "/api/1.0")

    user = asana.UsersApi(asana_client("as")).get_user("me", {})

    assert user["name"] == "Kitteh"
    assert (
        api.only("GET", "/api/1.0/users/me").headers["authorization"]
        == "Bearer asana-pat"
    )


def test_linear_api_key(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.linear import linear_client

    api.route("POST", "/graphql/", (200, {"data": {"viewer": {"id": "u1"}}}))
    _setenv(monkeypatch, "lin", api_key="lin_api_1", base_url=api.url + "/graphql/")

    client = linear_client("lin")
    resp = client.post("", json={"query": "{ viewer { id } }"})

    assert resp.json() == {"data": {"viewer": {"id": "u1"}}}
    req = api.only("POST", "/graphql/")
    assert req.headers["authorization"] == "lin_api_1"
    assert req.json() == {"query": "{ viewer { id } }"}
    assert client.base_url == api.url + "/graphql/"
    # kittehub's sample posts to the full default URL: it goes to base_url too.
    client.post("https://api.linear.app/graphql/", json={"query": "{ viewer { id } }"})
    assert len([r for r in api.requests if r.path == "/graphql/"]) == 2


def test_linear_oauth_refresh_on_401(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autokitteh.linear import linear_client

    def graphql(req: Request) -> tuple[int, object]:
        if req.headers["authorization"] == "Bearer fresh":
            return 200, {"data": {"ok": True}}
        return 401, {"errors": [{"message": "expired"}]}

    api.route("POST", "/graphql/", graphql)
    api.route("POST", "/token", (200, {"access_token": "fresh", "expires_in": 60}))
    _setenv(
        monkeypatch,
        "lin",
        oauth_access_token="stale",
        oauth_refresh_token="rt",
        client_id="cid",
        client_secret="cs",
        token_url=api.url + "/token",
        base_url=api.url + "/graphql/",
    )

    resp = linear_client("lin").post("", json={"query": "{ ok }"})

    assert resp.status_code == 200
    assert [
        r.headers["authorization"] for r in api.requests if r.path == "/graphql/"
    ] == [
        "Bearer stale",
        "Bearer fresh",
    ]
    assert api.only("POST", "/token").form()["refresh_token"] == "rt"


def test_notion_me(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.notion import notion_client

    me = {"object": "user", "id": "u1", "type": "bot", "name": "Kitteh"}
    api.route("GET", "/v1/users/me", (200, me))
    _setenv(monkeypatch, "no", oauth_access_token="ntn_oauth", base_url=api.url)

    assert notion_client("no").users.me()["name"] == "Kitteh"
    assert (
        api.only("GET", "/v1/users/me").headers["authorization"] == "Bearer ntn_oauth"
    )


def test_pipedrive_me(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.pipedrive import pipedrive_client

    api.route("GET", "/v1/users/me", (200, {"success": True, "data": {"id": 5}}))
    _setenv(
        monkeypatch,
        "pd",
        company_domain="https://cats.pipedrive.com",
        api_key="pd-key",
        base_url=api.url,
    )

    assert pipedrive_client("pd").users.get_me()["data"] == {"id": 5}
    assert api.only("GET", "/v1/users/me").query["api_token"] == ["pd-key"]


def test_reddit_script_app(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.reddit import reddit_client

    token = {
        "access_token": "rt1",
        "token_type": "bearer",
        "expires_in": 3600,
        "scope": "*",
    }
    api.route("POST", "/api/v1/access_token", (200, token))
    api.route("GET", "/api/v1/me", (200, {"name": "kitteh", "id": "k1"}))
    _setenv(
        monkeypatch,
        "rd",
        client_id="cid",
        client_secret="cs",
        user_agent="ak-test/1.0",
        username="kitteh",
        password="pw",
        base_url=api.url,
    )

    me = reddit_client("rd").user.me()

    assert me is not None
    assert me.name == "kitteh"
    auth = api.only("POST", "/api/v1/access_token")
    assert auth.headers["authorization"] == _basic("cid", "cs")
    assert auth.form()["grant_type"] == "password"
    assert api.only("GET", "/api/v1/me").headers["authorization"] == "bearer rt1"


def test_telegram_get_me(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.telegram import telegram_client

    me = {"id": 9, "is_bot": True, "first_name": "Kitteh", "username": "kitteh_bot"}
    api.route("POST", "/bot123:ABC/getMe", (200, {"ok": True, "result": me}))
    _setenv(monkeypatch, "tg", BotToken="123:ABC", base_url=api.url + "/bot")

    async def get_me() -> str | None:
        async with telegram_client("tg") as bot:
            return (await bot.get_me()).username

    assert asyncio.run(get_me()) == "kitteh_bot"


def test_airtable_whoami(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.airtable import airtable_client

    api.route("GET", "/v0/meta/whoami", (200, {"id": "usr1", "scopes": []}))
    _setenv(monkeypatch, "at", pat="pat.airtable", base_url=api.url)

    assert airtable_client("at").whoami()["id"] == "usr1"
    assert (
        api.only("GET", "/v0/meta/whoami").headers["authorization"]
        == "Bearer pat.airtable"
    )


def test_hubspot_private_app_token(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("hubspot")
    from autokitteh.hubspot import hubspot_client

    path = "/crm/v3/objects/contacts"
    api.route("GET", path, (200, {"results": []}))
    _setenv(monkeypatch, "hs", private_app_token="pat-na1-x", base_url=api.url)

    page = hubspot_client("hs").crm.contacts.basic_api.get_page()

    assert page.results == []
    assert api.only("GET", path).headers["authorization"] == "Bearer pat-na1-x"


def test_hubspot_refresh_failure(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.errors import OAuthRefreshError
    from autokitteh.hubspot import hubspot_client

    api.route("POST", "/oauth/v1/token", (400, {"status": "BAD_REFRESH_TOKEN"}))
    _setenv(
        monkeypatch,
        "hs",
        oauth_RefreshToken="rt",
        client_id="cid",
        token_url=api.url + "/oauth/v1/token",
    )
    with pytest.raises(
        OAuthRefreshError, match="'hs' connection: refresh_oauth: HTTP 400"
    ):
        hubspot_client("hs")


def test_auth0_client_credentials(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autokitteh.auth0 import auth0_client

    api.route(
        "POST", "/oauth/token", (200, {"access_token": "mgmt", "token_type": "Bearer"})
    )
    api.route("GET", "/api/v2/users", (200, [{"user_id": "auth0|1"}]))
    _setenv(
        monkeypatch,
        "a0",
        auth0_domain="cats.eu.auth0.com",
        client_id="cid",
        client_secret="cs",
        base_url=api.url,
    )

    users = auth0_client("a0").users.list()

    assert users == [{"user_id": "auth0|1"}]
    grant = api.only("POST", "/oauth/token").json()
    assert grant["grant_type"] == "client_credentials"
    assert grant["audience"] == "https://cats.eu.auth0.com/api/v2/"
    assert (grant["client_id"], grant["client_secret"]) == ("cid", "cs")
    assert api.only("GET", "/api/v2/users").headers["authorization"] == "Bearer mgmt"


def test_auth0_access_token(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.auth0 import auth0_client

    api.route("GET", "/api/v2/users", (200, []))
    _setenv(
        monkeypatch, "a0", auth0_domain="d", oauth_AccessToken="tok", base_url=api.url
    )

    assert auth0_client("a0").users.list() == []
    assert api.only("GET", "/api/v2/users").headers["authorization"] == "Bearer tok"
    assert [r.path for r in api.requests] == ["/api/v2/users"]
