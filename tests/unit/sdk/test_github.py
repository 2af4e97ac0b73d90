"""autokitteh.github with the real PyGithub against a fake GitHub API."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .fakeapi import FakeAPI, Request

REPO = {"id": 1, "name": "r", "full_name": "o/r", "owner": {"login": "o"}}


def test_github_pat(api: FakeAPI, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from autokitteh.github import github_client

    api.route("GET", "/api/v3/repos/o/r", (200, REPO))
    monkeypatch.setenv("gh__pat", "ghp_secret")
    monkeypatch.setenv("gh__enterprise_url", api.url + "/")

    gh = github_client("gh")
    assert capsys.readouterr().out == f"GitHub Enterprise base URL: {api.url}/api/v3\n"
    assert gh.get_repo("o/r").full_name == "o/r"
    got = api.only("GET", "/api/v3/repos/o/r")
    assert got.headers["authorization"] == "token ghp_secret"


def test_github_pat_comment(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.github import github_client

    api.route("GET", "/api/v3/repos/o/r", (200, REPO))
    issue = {"number": 7, "title": "t", "url": api.url + "/api/v3/repos/o/r/issues/7"}
    api.route("GET", "/api/v3/repos/o/r/issues/7", (200, issue))
    api.route(
        "POST", "/api/v3/repos/o/r/issues/7/comments", (201, {"id": 99, "body": "ok"})
    )
    monkeypatch.setenv("gh__pat", "ghp_secret")
    monkeypatch.setenv("GITHUB_ENTERPRISE_URL", api.url)

    comment = github_client("gh").get_repo("o/r").get_issue(7).create_comment("ok")

    assert comment.id == 99
    post = api.only("POST", "/api/v3/repos/o/r/issues/7/comments")
    assert post.json() == {"body": "ok"}
    assert post.headers["authorization"] == "token ghp_secret"


def _rsa_pem() -> tuple[str, object]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    return pem, key.public_key()


def test_github_app_private_key(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.github import github_client

    pem, public = _rsa_pem()
    claims: list[dict[str, object]] = []

    def access_tokens(req: Request) -> tuple[int, object]:
        scheme, _, token = req.headers["authorization"].partition(" ")
        assert scheme == "Bearer"
        claims.append(jwt.decode(token, public, algorithms=["RS256"]))  # type: ignore[arg-type]
        return 201, {"token": "ghs_install", "expires_at": "2099-01-01T00:00:00Z"}

    api.route("POST", "/api/v3/app/installations/42/access_tokens", access_tokens)
    api.route("GET", "/api/v3/repos/o/r", (200, REPO))
    for key, value in {
        "app_id": "1234",
        "install_id": "42",
        "private_key": pem,
        "enterprise_url": api.url,
    }.items():
        monkeypatch.setenv(f"app_conn__{key}", value)

    repo = github_client("app_conn").get_repo("o/r")

    assert repo.full_name == "o/r"
    assert [c["iss"] for c in claims] == ["1234"]
    got = api.only("GET", "/api/v3/repos/o/r")
    assert got.headers["authorization"] == "token ghs_install"


@pytest.mark.parametrize(
    ("keys", "missing"),
    [
        ({}, "pat=..."),
        ({"app_id": "1"}, "install_id=... private_key=..."),
        ({"app_id": "1", "install_id": "2"}, "private_key=..."),
    ],
)
def test_github_missing_keys(
    monkeypatch: pytest.MonkeyPatch, keys: dict[str, str], missing: str
) -> None:
    from autokitteh.errors import ConnectionInitError
    from autokitteh.github import github_client

    for key, value in keys.items():
        monkeypatch.setenv(f"gh__{key}", value)
    with pytest.raises(ConnectionInitError) as e:
        github_client("gh")
    assert str(e.value).endswith(f"ak connection set <project>/gh {missing}")
