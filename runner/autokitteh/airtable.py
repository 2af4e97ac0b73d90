"""Airtable client initialization, based on an AutoKitteh connection.

Keys: ``pat`` (personal access token), else ``oauth_refresh_token`` (refreshed
with :func:`autokitteh.connections.refresh_oauth`); ``base_url`` overrides the
API URL (default ``https://api.airtable.com``). Needs ``pyairtable``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _conn
from .connections import check_connection_name, refresh_oauth
from .errors import ConnectionInitError, OAuthRefreshError

if TYPE_CHECKING:
    from pyairtable import Api


def airtable_client(connection: str) -> Api:
    """A pyairtable ``Api`` for ``connection``.

    Raises ``ValueError`` for an invalid connection name, ConnectionInitError
    without a PAT or refresh token, and OAuthRefreshError when a refresh fails.
    """
    check_connection_name(connection)
    token = _conn.var(connection, "pat")
    if not token:
        if not _conn.var(connection, "oauth_refresh_token"):
            raise ConnectionInitError(connection, ["pat"])
        try:
            token, _ = refresh_oauth("airtable", connection)
        except Exception as e:
            raise OAuthRefreshError(connection, str(e)) from e

    from pyairtable import Api

    options: dict[str, Any] = {}
    base = _conn.base_url(connection)
    if base:
        options["endpoint_url"] = base.rstrip("/")
    return Api(token, **options)
