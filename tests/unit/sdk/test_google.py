"""autokitteh.google with the real Google client libraries against fakes."""

from __future__ import annotations

import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .fakeapi import FakeAPI, Request

# google.api_core warns about the Python version's end of life.
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

SHEET_ID = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
SHEET = {
    "spreadsheetId": SHEET_ID,
    "properties": {"title": "Cats"},
    "sheets": [{"properties": {"sheetId": 0, "title": "Sheet1", "index": 0}}],
}


@pytest.fixture
def service_account(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """A service-account key in ``sheets__JSON`` whose token URI is the fake's."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "p",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "bot@p.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": api.url + "/token",
    }
    assertions: list[dict] = []

    def token(req: Request) -> tuple[int, object]:
        form = req.form()
        assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
        assertions.append(
            jwt.decode(
                form["assertion"],
                key.public_key(),
                algorithms=["RS256"],
                options={"verify_aud": False},
            )
        )
        return 200, {
            "access_token": "ya29.fake",
            "expires_in": 3600,
            "token_type": "Bearer",
        }

    api.route("POST", "/token", token)
    monkeypatch.setenv("sheets__JSON", json.dumps(info))
    monkeypatch.setenv("sheets__base_url", api.url + "/")
    return assertions


def test_google_sheets_service_account(
    api: FakeAPI, service_account: list[dict]
) -> None:
    pytest.importorskip("googleapiclient")
    from autokitteh.google import google_sheets_client

    api.route("GET", f"/v4/spreadsheets/{SHEET_ID}", (200, SHEET))

    sheet = google_sheets_client("sheets").spreadsheets().get(spreadsheetId=SHEET_ID)
    got = sheet.execute()

    assert got["properties"]["title"] == "Cats"
    req = api.only("GET", f"/v4/spreadsheets/{SHEET_ID}")
    assert req.headers["authorization"] == "Bearer ya29.fake"
    [claims] = service_account
    assert claims["iss"] == "bot@p.iam.gserviceaccount.com"
    assert claims["scope"] == "https://www.googleapis.com/auth/spreadsheets"
    assert claims["aud"] == "https://oauth2.googleapis.com/token"  # google-auth's


def test_gspread_service_account(api: FakeAPI, service_account: list[dict]) -> None:
    pytest.importorskip("gspread")
    from autokitteh.google import gspread_client

    api.route("GET", f"/v4/spreadsheets/{SHEET_ID}", (200, SHEET))

    spreadsheet = gspread_client("sheets").open_by_key(SHEET_ID)

    assert spreadsheet.title == "Cats"
    assert api.only("GET", f"/v4/spreadsheets/{SHEET_ID}").headers["authorization"] == (
        "Bearer ya29.fake"
    )


def test_google_oauth_expired_token_is_refreshed(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("googleapiclient")
    from autokitteh.google import google_calendar_client

    api.route("POST", "/token", (200, {"access_token": "fresh", "expires_in": 3600}))
    api.route("GET", "/calendar/v3/calendars/primary", (200, {"id": "primary"}))
    for key, value in {
        "auth_type": "oauth",
        "oauth_AccessToken": "stale",
        "oauth_RefreshToken": "rt",
        "oauth_Expiry": "2024-06-20 19:18:17.123 -0700 PDT",
        "client_id": "cid",
        "client_secret": "cs",
        "token_url": api.url + "/token",
        "base_url": api.url + "/calendar/v3/",
    }.items():
        monkeypatch.setenv(f"cal__{key}", value)

    cal = google_calendar_client("cal").calendars().get(calendarId="primary").execute()

    assert cal == {"id": "primary"}
    form = api.only("POST", "/token").form()
    assert form["refresh_token"] == "rt"
    assert form["client_id"] == "cid"
    got = api.only("GET", "/calendar/v3/calendars/primary")
    assert got.headers["authorization"] == "Bearer fresh"


def test_google_oauth_refresh_failure(
    api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("google.oauth2")
    from autokitteh.errors import OAuthRefreshError
    from autokitteh.google import gmail_client

    api.route("POST", "/token", (400, {"error": "invalid_grant"}))
    for key, value in {
        "auth_type": "oauth",
        "oauth_RefreshToken": "rt",
        "client_id": "cid",
        "client_secret": "cs",
        "token_url": api.url + "/token",
    }.items():
        monkeypatch.setenv(f"gm__{key}", value)
    with pytest.raises(
        OAuthRefreshError, match="OAuth refresh failed for 'gm'.*invalid_grant"
    ):
        gmail_client("gm")


def test_google_bad_json_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.google import google_drive_client

    monkeypatch.setenv("drive__JSON", "{not json")
    with pytest.raises(ValueError, match="connection 'drive': JSON is not a JSON key"):
        google_drive_client("drive")


@pytest.mark.parametrize(
    ("url", "want"),
    [
        (f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/edit#gid=0", SHEET_ID),
        (f"https://docs.google.com/forms/d/e/{SHEET_ID}/viewform", SHEET_ID),
        (SHEET_ID, SHEET_ID),
    ],
)
def test_google_id(url: str, want: str) -> None:
    from autokitteh.google import google_id

    assert google_id(url) == want


def test_google_id_invalid() -> None:
    from autokitteh.google import google_id

    with pytest.raises(ValueError, match='Invalid Google ID in "https://x/d/short"'):
        google_id("https://x/d/short")
