"""Auth0 Management API client initialization, based on an AutoKitteh connection.

Keys: ``auth0_domain`` and either an access token (``oauth_AccessToken``, as
upstream) or a machine-to-machine application's ``client_id`` and
``client_secret`` (client credentials grant, audience
``https://<auth0_domain>/api/v2/``). ``base_url`` (e.g.
``http://127.0.0.1:8080``) replaces the scheme and host of every request.
Needs ``auth0-python`` 4.x (upstream's pin; 5+ changed the ``Auth0`` class).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import _conn
from .connections import check_connection_name
from .errors import ConnectionInitError

if TYPE_CHECKING:
    from auth0.management import Auth0


def auth0_client(connection: str, **kwargs: Any) -> Auth0:
    """An Auth0 Management API client; ``kwargs`` go to ``Auth0()``.

    Raises ``ValueError`` for an invalid connection name and
    ConnectionInitError without a domain, or without a token or client
    credentials.
    """
    check_connection_name(connection)
    (domain,) = _conn.need(connection, "auth0_domain")
    token = _conn.var(connection, "oauth_AccessToken")
    if not token and not (
        _conn.var(connection, "client_id") and _conn.var(connection, "client_secret")
    ):
        raise ConnectionInitError(connection, ["client_id", "client_secret"])
    base = urlsplit(_conn.base_url(connection))
    protocol, host = (base.scheme, base.netloc) if base.netloc else ("https", domain)

    if not token:
        from auth0.authentication import GetToken

        client_id, secret = _conn.need(connection, "client_id", "client_secret")
        get = GetToken(host, client_id, client_secret=secret, protocol=protocol)
        token = get.client_credentials(f"https://{domain}/api/v2/")["access_token"]

    from auth0.management import Auth0

    client = Auth0(host, token, **kwargs)
    for part in vars(client).values():
        if hasattr(part, "protocol"):
            part.protocol = protocol
    return client
