"""Google API clients, based on AutoKitteh connections (upstream's names).

Keys: a service account's JSON key in ``JSON`` (the local-first way), or, with
``auth_type`` = ``oauth``, a user's ``oauth_AccessToken``,
``oauth_RefreshToken`` and optional ``oauth_Expiry``; refreshing those needs
the OAuth client from ``client_id``/``client_secret`` or the environment's
``GOOGLE_CLIENT_ID``/``GOOGLE_CLIENT_SECRET``. ``token_url`` overrides the
token endpoint (the key's ``token_uri``, or ``https://oauth2.googleapis.com/token``).

``base_url`` overrides the API endpoint: for the discovery-based clients it is
the service's endpoint (``client_options.api_endpoint``: e.g. what replaces
``https://sheets.googleapis.com/``); for gspread it replaces both
``https://sheets.googleapis.com/`` and ``https://www.googleapis.com/``; for
Gemini it is the generative language API host (REST transport).

Needs ``google-api-python-client`` and ``google-auth`` (``gspread`` for
gspread_client, ``google-generativeai`` for gemini_client).
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import _conn
from .connections import check_connection_name
from .errors import ConnectionInitError, OAuthRefreshError

if TYPE_CHECKING:
    import gspread

TOKEN_URL = "https://oauth2.googleapis.com/token"
_HOSTS = ("https://sheets.googleapis.com/", "https://www.googleapis.com/")

# https://developers.google.com/identity/protocols/oauth2/scopes
GMAIL_SCOPES = [
    "https://www.googleapis.com/auth/gmail.modify",
    "https://www.googleapis.com/auth/gmail.settings.basic",
]
CALENDAR_SCOPES = [
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.events",
]
DRIVE_SCOPES = ["https://www.googleapis.com/auth/drive.file"]
FORMS_SCOPES = [
    "https://www.googleapis.com/auth/forms.body",
    "https://www.googleapis.com/auth/forms.responses.readonly",
]
SHEETS_SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
YOUTUBE_SCOPES = [
    "https://www.googleapis.com/auth/youtube.readonly",
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube",
]


def _build(
    integration: str,
    connection: str,
    scopes: list[str],
    api: tuple[str, str],
    kwargs: dict[str, Any],
) -> Any:
    creds = google_creds(integration, connection, scopes)

    from googleapiclient.discovery import build

    base = _conn.base_url(connection)
    if base:
        options = dict(kwargs.pop("client_options", None) or {})
        options.setdefault("api_endpoint", base)
        kwargs["client_options"] = options
    return build(api[0], api[1], credentials=creds, **kwargs)


def gmail_client(connection: str, **kwargs: Any) -> Any:
    """A Gmail API (v1) client; ``kwargs`` go to ``googleapiclient.discovery.build``."""
    return _build("gmail", connection, GMAIL_SCOPES, ("gmail", "v1"), kwargs)


def google_calendar_client(connection: str, **kwargs: Any) -> Any:
    """A Google Calendar API (v3) client."""
    api = ("calendar", "v3")
    return _build("googlecalendar", connection, CALENDAR_SCOPES, api, kwargs)


def google_drive_client(connection: str, **kwargs: Any) -> Any:
    """A Google Drive API (v3) client."""
    return _build("googledrive", connection, DRIVE_SCOPES, ("drive", "v3"), kwargs)


def google_forms_client(connection: str, **kwargs: Any) -> Any:
    """A Google Forms API (v1) client."""
    return _build("googleforms", connection, FORMS_SCOPES, ("forms", "v1"), kwargs)


def google_sheets_client(connection: str, **kwargs: Any) -> Any:
    """A Google Sheets API (v4) client."""
    return _build("googlesheets", connection, SHEETS_SCOPES, ("sheets", "v4"), kwargs)


def youtube_client(connection: str, **kwargs: Any) -> Any:
    """A YouTube Data API (v3) client."""
    return _build("youtube", connection, YOUTUBE_SCOPES, ("youtube", "v3"), kwargs)


def gspread_client(connection: str, **kwargs: Any) -> gspread.Client:
    """A gspread client (Sheets scope) for ``connection``."""
    creds = google_creds("googlesheets", connection, SHEETS_SCOPES)

    import gspread

    base = _conn.base_url(connection)
    if not base:
        return gspread.authorize(creds)
    prefix = base if base.endswith("/") else base + "/"

    class RedirectingHTTPClient(gspread.HTTPClient):  # type: ignore[misc,unused-ignore]
        def request(self, method: str, endpoint: str, *a: Any, **kw: Any) -> Any:
            for host in _HOSTS:
                if endpoint.startswith(host):
                    endpoint = prefix + endpoint[len(host) :]
            return super().request(method, endpoint, *a, **kw)

    return gspread.authorize(creds, http_client=RedirectingHTTPClient)


def gemini_client(connection: str, **kwargs: Any) -> Any:
    """A ``google.generativeai.GenerativeModel``; ``kwargs`` go to it (``model_name``).

    Keys: ``api_key``. Raises ``ValueError`` for an invalid connection name
    and ConnectionInitError without an API key.
    """
    (api_key,) = _conn.need(connection, "api_key")

    import importlib

    genai: Any = importlib.import_module("google.generativeai")
    options: dict[str, Any] = {"api_key": api_key}
    base = _conn.base_url(connection)
    if base:
        options.update(transport="rest", client_options={"api_endpoint": base})
    genai.configure(**options)
    return genai.GenerativeModel(**kwargs)


def google_creds(
    integration: str, connection: str, scopes: list[str], **kwargs: Any
) -> Any:
    """Google credentials for ``connection``: a service account or a user's OAuth.

    ``kwargs`` go to ``service_account.Credentials.from_service_account_info``
    (e.g. ``subject`` for domain-wide delegation). Raises ``ValueError`` for
    an invalid connection name or JSON key, ConnectionInitError without
    credentials, and OAuthRefreshError when refreshing a user token fails.
    """
    check_connection_name(connection)
    if _conn.var(connection, "auth_type") == "oauth":
        return _oauth_creds(connection, scopes)
    key = _conn.var(connection, "JSON")
    if not key:
        raise ConnectionInitError(connection, ["JSON"])
    try:
        info = json.loads(key)
    except ValueError as e:
        raise ValueError(
            f"connection {connection!r}: JSON is not a JSON key: {e}"
        ) from e
    token_url = _conn.var(connection, "token_url")
    if token_url:
        info["token_uri"] = token_url

    from google.oauth2 import service_account

    return service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call,unused-ignore]
        info, scopes=scopes, **kwargs
    )


def _oauth_creds(connection: str, scopes: list[str]) -> Any:
    token = _conn.var(connection, "oauth_AccessToken")
    refresh = _conn.var(connection, "oauth_RefreshToken")
    if not token and not refresh:
        raise ConnectionInitError(connection, ["oauth_AccessToken"])

    from google.auth.exceptions import RefreshError
    from google.auth.transport.requests import Request
    from google.oauth2.credentials import Credentials

    creds = Credentials(  # type: ignore[no-untyped-call,unused-ignore]
        token=token or None,
        refresh_token=refresh or None,
        token_uri=_conn.var(connection, "token_url") or TOKEN_URL,
        client_id=_conn.var(connection, "client_id")
        or os.environ.get("GOOGLE_CLIENT_ID"),
        client_secret=_conn.var(connection, "client_secret")
        or os.environ.get("GOOGLE_CLIENT_SECRET"),
        scopes=scopes,
        expiry=_parse_expiry(_conn.var(connection, "oauth_Expiry")),
    )
    if not token or creds.expired:
        try:
            creds.refresh(Request())  # type: ignore[no-untyped-call,unused-ignore]
        except RefreshError as e:
            raise OAuthRefreshError(connection, e) from e
    return creds


def _parse_expiry(text: str) -> datetime | None:
    """Naive UTC from an ISO time or Go's ``2024-06-20 19:18:17 -0700 PDT``."""
    if not text:
        return None
    text = re.sub(r" [A-Z]+.*", "", text.strip())
    text = re.sub(r"\.\d+", "", text)
    when = datetime.fromisoformat(text)
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def google_id(url: str) -> str:
    """The ID of a Google Doc/Form/Sheet from its URL (an ID is returned as is).

    ``https://docs.google.com/spreadsheets/d/<id>/edit`` -> ``<id>``; raises
    ``ValueError`` when there is no ID (at least 20 of ``[A-Za-z0-9_-]``).
    """
    match = re.match(r"(.*/d/(e/)?)?([\w-]{20,})", url)
    if not match:
        raise ValueError(f'Invalid Google ID in "{url}"')
    return match.group(3)
