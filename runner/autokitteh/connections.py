"""AutoKitteh connection utilities (upstream's ``autokitteh.connections``).

Upstream's runner replaces :func:`encode_jwt` and :func:`refresh_oauth` with
calls to the server, which holds the secrets. Here every connection var is
already in the session's environment, so both work locally: ``encode_jwt``
signs with the connection's ``private_key``, and ``refresh_oauth`` runs the
OAuth 2.0 ``refresh_token`` grant against the provider's token endpoint.
"""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from .errors import AutoKittehError, ConnectionInitError

_NAME = re.compile(r"[A-Za-z_]\w*")

# Token endpoints of the integrations whose connections may hold OAuth tokens;
# ``<conn>__token_url`` overrides them. "{domain}" is ``<conn>__auth0_domain``.
TOKEN_URLS = {
    "airtable": "https://airtable.com/oauth2/v1/token",
    "auth0": "https://{domain}/oauth/token",
    "confluence": "https://auth.atlassian.com/oauth/token",
    "gmail": "https://oauth2.googleapis.com/token",
    "google": "https://oauth2.googleapis.com/token",
    "googlecalendar": "https://oauth2.googleapis.com/token",
    "googledrive": "https://oauth2.googleapis.com/token",
    "googleforms": "https://oauth2.googleapis.com/token",
    "googlesheets": "https://oauth2.googleapis.com/token",
    "hubspot": "https://api.hubapi.com/oauth/v1/token",
    "jira": "https://auth.atlassian.com/oauth/token",
    "linear": "https://api.linear.app/oauth/token",
    "notion": "https://api.notion.com/v1/oauth/token",
    "youtube": "https://oauth2.googleapis.com/token",
}
# The environment variables' prefix for the OAuth client, as upstream's server.
_GOOGLE = [name for name, url in TOKEN_URLS.items() if "googleapis.com" in url]
_ENV_PREFIX = dict.fromkeys(_GOOGLE, "GOOGLE")
# Providers that take the client credentials as HTTP Basic auth, not form fields.
_BASIC_AUTH = {"airtable", "notion"}
_TIMEOUT = 30.0


def check_connection_name(connection: str) -> None:
    """Raise ``ValueError`` unless ``connection`` is a valid connection name."""
    if not _NAME.fullmatch(connection):
        raise ValueError(f"Invalid AutoKitteh connection name: {connection!r}")


def _var(connection: str, *keys: str) -> str:
    for key in keys:
        value = os.environ.get(f"{connection}__{key}", "")
        if value:
            return value
    return ""


def encode_jwt(payload: dict[str, int], connection: str, algorithm: str) -> str:
    """Sign ``payload`` as a JWT with the connection's ``private_key``.

    Needs PyJWT with its crypto extra (PyGithub depends on it). A numeric
    ``iss`` (a GitHub App ID, as upstream passes it) is sent as a string.
    """
    check_connection_name(connection)
    key = _var(connection, "private_key")
    if not key:
        raise ConnectionInitError(connection, ["private_key"])
    try:
        import jwt
    except ImportError as e:
        raise AutoKittehError(f"encode_jwt: {e} (pip install 'pyjwt[crypto]')") from e
    claims: dict[str, object] = dict(payload)
    if "iss" in claims:
        claims["iss"] = str(claims["iss"])
    token: str = jwt.encode(claims, key, algorithm=algorithm)
    return token


def refresh_oauth(integration: str, connection: str) -> tuple[str, datetime]:
    """Refresh the connection's OAuth access token; return it and its expiry.

    Reads the refresh token (``oauth_RefreshToken`` or ``oauth_refresh_token``),
    the OAuth client (``client_id``/``client_secret``, else the environment's
    ``<INTEGRATION>_CLIENT_ID``/``_CLIENT_SECRET``, ``GOOGLE_...`` for the Google
    integrations) and the token endpoint
    (``token_url``, else the integration's). The new tokens replace the old
    ones in this process's environment. The expiry is naive UTC, as upstream.
    """
    check_connection_name(connection)
    refresh = _var(connection, "oauth_RefreshToken", "oauth_refresh_token")
    if not refresh:
        raise ConnectionInitError(connection, ["oauth_RefreshToken"])
    prefix = _ENV_PREFIX.get(integration, integration.upper())
    client_id = _var(connection, "client_id") or os.environ.get(f"{prefix}_CLIENT_ID")
    secret = _var(connection, "client_secret") or os.environ.get(
        f"{prefix}_CLIENT_SECRET", ""
    )
    if not client_id:
        raise ConnectionInitError(connection, ["client_id", "client_secret"])
    url = _var(connection, "token_url") or TOKEN_URLS.get(integration, "")
    if not url:
        raise ConnectionInitError(connection, ["token_url"])
    url = url.replace("{domain}", _var(connection, "auth0_domain"))

    form = {"grant_type": "refresh_token", "refresh_token": refresh}
    headers = {"Accept": "application/json"}
    if integration in _BASIC_AUTH and secret:
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        headers["Authorization"] = f"Basic {basic}"
    else:
        form["client_id"] = client_id
        if secret:
            form["client_secret"] = secret
    reply = _post_form(url, form, headers)

    token = reply.get("access_token")
    if not isinstance(token, str) or not token:
        raise AutoKittehError(f"refresh_oauth: no access_token in reply from {url}")
    expires_in = reply.get("expires_in")
    seconds = float(expires_in) if isinstance(expires_in, int | float | str) else 3600.0
    expiry = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=seconds)
    _store(connection, ("oauth_AccessToken", "oauth_access_token"), token)
    new_refresh = reply.get("refresh_token")
    if isinstance(new_refresh, str) and new_refresh:
        _store(connection, ("oauth_RefreshToken", "oauth_refresh_token"), new_refresh)
    _store(connection, ("oauth_Expiry",), expiry.isoformat() + "Z")
    return token, expiry


def _post_form(url: str, form: dict[str, str], headers: dict[str, str]) -> Any:
    data = urllib.parse.urlencode(form).encode()
    req = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=_TIMEOUT) as resp:
            body = resp.read()
    except urllib.error.HTTPError as e:
        detail = e.read()[:500].decode(errors="replace")
        raise AutoKittehError(
            f"refresh_oauth: HTTP {e.code} from {url}: {detail}"
        ) from e
    except OSError as e:
        raise AutoKittehError(f"refresh_oauth: {url}: {e}") from e
    try:
        reply = json.loads(body)
    except ValueError as e:
        raise AutoKittehError(f"refresh_oauth: bad JSON from {url}: {e}") from e
    if not isinstance(reply, dict):
        raise AutoKittehError(f"refresh_oauth: bad reply from {url}")
    return reply


def _store(connection: str, keys: tuple[str, ...], value: str) -> None:
    """Set the keys that exist (else the first) so later reads see ``value``."""
    present = [k for k in keys if f"{connection}__{k}" in os.environ] or [keys[0]]
    for key in present:
        os.environ[f"{connection}__{key}"] = value
