"""Twilio client initialization, based on an AutoKitteh connection.

Keys: ``AccountSID``, ``Username`` and ``Password`` (the account SID and auth
token, or an API key SID and secret). ``base_url`` (e.g.
``http://127.0.0.1:8080``) replaces the scheme and host of every Twilio API
URL (``https://api.twilio.com``, ``https://messaging.twilio.com``, ...).
Needs ``twilio``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from . import _conn

if TYPE_CHECKING:
    from twilio.rest import Client


def twilio_client(connection: str) -> Client:
    """A Twilio REST client for ``connection``.

    Raises ``ValueError`` for an invalid connection name and
    ConnectionInitError without a username and password.
    """
    username, password = _conn.need(connection, "Username", "Password")
    account_sid = _conn.var(connection, "AccountSID") or None
    base = _conn.base_url(connection)

    from twilio.rest import Client

    http_client = _redirecting_http_client(base) if base else None
    return Client(username, password, account_sid=account_sid, http_client=http_client)


def _redirecting_http_client(base: str) -> Any:
    """A Twilio HTTP client that sends every request to ``base`` instead."""
    from twilio.http.http_client import TwilioHttpClient

    target = urlsplit(base)

    class RedirectingHttpClient(TwilioHttpClient):  # type: ignore[misc,unused-ignore]
        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            parts = urlsplit(url)
            path = target.path.rstrip("/") + parts.path
            url = urlunsplit((target.scheme, target.netloc, path, parts.query, ""))
            return super().request(method, url, *args, **kwargs)

    return RedirectingHttpClient()
