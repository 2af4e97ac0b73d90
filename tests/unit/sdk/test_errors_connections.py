"""autokitteh.errors and autokitteh.connections."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import pytest

from .fakeapi import FakeAPI, Request


def test_errors_module_is_the_top_level_names() -> None:
    import autokitteh
    import autokitteh.errors as errors

    for name in (
        "AutoKittehError",
        "ConnectionInitError",
        "EnvVarError",
        "OAuthRefreshError",
        "AtlassianOAuthError",
        "AuthenticationError",
    ):
        assert getattr(autokitteh, name) is getattr(errors, name)
    assert issubclass(errors.ConnectionInitError, errors.AutoKittehError)


def test_error_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh import errors

    assert str(errors.ConnectionInitError("c")) == (
        "AutoKitteh connection 'c' not initialized; run: "
        "ak connection set <project>/c KEY=..."
    )
    monkeypatch.setenv("AK_PROJECT_NAME", "p")
    assert str(errors.ConnectionInitError("c", ["A", "B"])).endswith(
        "run: ak connection set p/c A=... B=..."
    )
    assert (
        str(errors.EnvVarError("X", "missing")) == "Environment variable 'X' is missing"
    )
    assert str(errors.OAuthRefreshError("c", "boom")) == (
        "OAuth refresh failed for 'c' connection: boom"
    )
    assert str(errors.AtlassianOAuthError("j")) == (
        "API calls not supported by 'j', use a token-based connection instead"
    )


@pytest.mark.parametrize(
    "err",
    [
        "ConnectionInitError('c', ['pat'])",
        "EnvVarError('X', 'missing')",
        "OAuthRefreshError('c', ValueError('no'))",
        "AtlassianOAuthError('j')",
        "AuthenticationError('c', 'bad')",
    ],
)
def test_errors_pickle_round_trip(err: str) -> None:
    from autokitteh import errors

    exc = eval(err, vars(errors))
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc)
    assert str(back) == str(exc)


@pytest.mark.parametrize("name", ["a", "_x", "Slack_1", "A9_b"])
def test_check_connection_name_ok(name: str) -> None:
    from autokitteh.connections import check_connection_name

    check_connection_name(name)


@pytest.mark.parametrize("name", ["", "1a", "a-b", "a b", "a.b", "x\n"])
def test_check_connection_name_bad(name: str) -> None:
    from autokitteh.connections import check_connection_name

    with pytest.raises(ValueError) as e:
        check_connection_name(name)
    assert str(e.value) == f"Invalid AutoKitteh connection name: {name!r}"


def test_encode_jwt_signs_with_private_key(monkeypatch: pytest.MonkeyPatch) -> None:
    import jwt
    from autokitteh.connections import encode_jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    monkeypatch.setenv("app__private_key", pem)
    token = encode_jwt({"iss": 7, "iat": 1, "exp": 4102444800}, "app", "RS256")
    claims = jwt.decode(token, key.public_key(), algorithms=["RS256"])
    assert claims == {"iss": "7", "iat": 1, "exp": 4102444800}


def test_encode_jwt_without_key() -> None:
    from autokitteh.connections import encode_jwt
    from autokitteh.errors import ConnectionInitError

    with pytest.raises(ConnectionInitError, match="app private_key="):
        encode_jwt({"iss": 1}, "app", "RS256")


def test_refresh_oauth(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh import _conn
    from autokitteh.connections import refresh_oauth

    def token(req: Request) -> tuple[int, object]:
        return 200, {
            "access_token": "new-at",
            "refresh_token": "new-rt",
            "expires_in": 600,
        }

    api.route("POST", "/oauth/v1/token", token)
    monkeypatch.setenv("hs__oauth_RefreshToken", "old-rt")
    monkeypatch.setenv("hs__oauth_AccessToken", "old-at")
    monkeypatch.setenv("hs__token_url", api.url + "/oauth/v1/token")
    monkeypatch.setenv("HUBSPOT_CLIENT_ID", "cid")
    monkeypatch.setenv("HUBSPOT_CLIENT_SECRET", "csecret")

    before = datetime.now(UTC).replace(tzinfo=None)  # upstream: naive UTC
    access, expiry = refresh_oauth("hubspot", "hs")

    assert access == "new-at"
    assert expiry.tzinfo is None
    assert before + timedelta(seconds=590) < expiry < before + timedelta(seconds=700)
    assert api.only("POST", "/oauth/v1/token").form() == {
        "grant_type": "refresh_token",
        "refresh_token": "old-rt",
        "client_id": "cid",
        "client_secret": "csecret",
    }
    assert _conn.var("hs", "oauth_AccessToken") == "new-at"
    assert _conn.var("hs", "oauth_RefreshToken") == "new-rt"


def test_refresh_oauth_basic_auth_and_http_error(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autokitteh.connections import refresh_oauth
    from autokitteh.errors import AutoKittehError

    api.route("POST", "/t", (400, {"error": "invalid_grant"}))
    monkeypatch.setenv("at__oauth_refresh_token", "rt")
    monkeypatch.setenv("at__client_id", "id")
    monkeypatch.setenv("at__client_secret", "s")
    monkeypatch.setenv("at__token_url", api.url + "/t")
    with pytest.raises(
        AutoKittehError, match="refresh_oauth: HTTP 400 .*invalid_grant"
    ):
        refresh_oauth("airtable", "at")
    req = api.only("POST", "/t")
    assert req.headers["authorization"] == "Basic aWQ6cw=="  # id:s
    assert req.form() == {"grant_type": "refresh_token", "refresh_token": "rt"}


def test_refresh_oauth_without_refresh_token() -> None:
    from autokitteh.connections import refresh_oauth
    from autokitteh.errors import ConnectionInitError

    with pytest.raises(ConnectionInitError, match="oauth_RefreshToken="):
        refresh_oauth("hubspot", "hs")


def test_refresh_oauth_google_client_from_env(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autokitteh.connections import refresh_oauth

    api.route("POST", "/token", (200, {"access_token": "g-at"}))
    monkeypatch.setenv("gs__oauth_RefreshToken", "rt")
    monkeypatch.setenv("gs__token_url", api.url + "/token")
    monkeypatch.setenv("GOOGLE_CLIENT_ID", "gid")

    assert refresh_oauth("googlesheets", "gs")[0] == "g-at"
    assert api.only("POST", "/token").form()["client_id"] == "gid"
