"""Linear client initialization, based on an AutoKitteh connection.

Keys: ``api_key`` (a personal API key, sent as is in ``Authorization``), else
``oauth_access_token`` (sent as a bearer token; refreshed with
:func:`autokitteh.connections.refresh_oauth` on a 401 when
``oauth_refresh_token`` is set). The client is a ``requests`` session whose
relative URLs are resolved against ``session.base_url`` (default
``https://api.linear.app/graphql/``; the ``base_url`` key overrides it), so
``client.post("", json={"query": ...})`` sends a GraphQL request; a URL under
the default one (as kittehub writes it) is sent under ``base_url`` too.
Needs ``requests``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from . import _conn
from .connections import check_connection_name, refresh_oauth
from .errors import ConnectionInitError

if TYPE_CHECKING:
    from requests import Session

API_URL = "https://api.linear.app/graphql/"


def linear_client(connection: str) -> Session:
    """A ``requests`` session authenticated for the Linear GraphQL API.

    Raises ``ValueError`` for an invalid connection name and
    ConnectionInitError without a key or token.
    """
    check_connection_name(connection)
    api_key = _conn.var(connection, "api_key")
    token = _conn.var(connection, "oauth_access_token")
    if not api_key and not token:
        raise ConnectionInitError(connection, ["api_key"])
    session: Session = _session_class()(_conn.base_url(connection) or API_URL)
    session.headers["Content-Type"] = "application/json"
    if api_key:
        session.headers["Authorization"] = api_key
        return session
    session.headers["Authorization"] = f"Bearer {token}"
    if _conn.var(connection, "oauth_refresh_token"):
        session.hooks["response"].append(_refresher(session, connection))
    return session


def _session_class() -> Any:
    import requests

    class BaseURLSession(requests.Session):
        def __init__(self, base_url: str) -> None:
            super().__init__()
            self.base_url = base_url

        def request(self, method: str, url: str | bytes, *a: Any, **kw: Any) -> Any:
            text = url.decode() if isinstance(url, bytes) else url
            if text.startswith(API_URL):  # kittehub posts to the full URL
                text = text[len(API_URL) :]
            return super().request(method, urljoin(self.base_url, text), *a, **kw)

    return BaseURLSession


def _refresher(session: Session, connection: str) -> Any:
    def on_response(resp: Any, *args: Any, **kwargs: Any) -> Any:
        if resp.status_code != 401 or getattr(resp.request, "_ak_retried", False):
            return resp
        token, _ = refresh_oauth("linear", connection)
        session.headers["Authorization"] = f"Bearer {token}"
        retry = resp.request.copy()
        retry.headers["Authorization"] = f"Bearer {token}"
        retry._ak_retried = True
        return session.send(retry, **kwargs)

    return on_response
