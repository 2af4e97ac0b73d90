"""HubSpot client initialization, based on an AutoKitteh connection.

Keys: ``private_app_token`` (a private app's access token; ours, since ``ak``
has no OAuth web flow), else upstream's ``oauth_RefreshToken`` (refreshed with
:func:`autokitteh.connections.refresh_oauth`). ``base_url`` overrides the API
URL (default ``https://api.hubapi.com``). Needs ``hubspot-api-client``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _conn
from .connections import check_connection_name, refresh_oauth
from .errors import ConnectionInitError, OAuthRefreshError

if TYPE_CHECKING:
    from hubspot import HubSpot


def hubspot_client(connection: str, **kwargs: Any) -> HubSpot:
    """A HubSpot SDK client for ``connection``; ``kwargs`` go to ``HubSpot()``.

    Raises ``ValueError`` for an invalid connection name, ConnectionInitError
    without a token, and OAuthRefreshError when a refresh fails.
    """
    check_connection_name(connection)
    token = _conn.var(connection, "private_app_token")
    if not token:
        if not _conn.var(connection, "oauth_RefreshToken"):
            raise ConnectionInitError(connection, ["private_app_token"])
        try:
            token, _ = refresh_oauth("hubspot", connection)
        except Exception as e:
            raise OAuthRefreshError(connection, str(e)) from e
    base = _conn.base_url(connection)
    if base:
        kwargs.setdefault("host", base.rstrip("/"))

    from hubspot import HubSpot

    return HubSpot(access_token=token, **kwargs)
