"""Atlassian Jira and Confluence clients, based on an AutoKitteh connection.

Keys: ``BaseURL`` (the site, e.g. ``https://example.atlassian.net``, or a
self-hosted server: it is the API base URL), ``Token``, and ``Email`` for
Atlassian Cloud (basic auth with the email and API token; without ``Email``
the token is a bearer personal access token). Connections holding
``oauth_AccessToken`` raise AtlassianOAuthError, as upstream.
Needs ``atlassian-python-api``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import _conn
from .connections import check_connection_name
from .errors import AtlassianOAuthError

if TYPE_CHECKING:
    from atlassian import Confluence, Jira


def _options(connection: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    check_connection_name(connection)
    if _conn.var(connection, "oauth_AccessToken"):
        raise AtlassianOAuthError(connection)
    base_url, token = _conn.need(connection, "BaseURL", "Token")
    email = _conn.var(connection, "Email")
    if email:
        return {
            "url": base_url,
            "username": email,
            "password": token,
            "cloud": True,
            **kwargs,
        }
    return {"url": base_url, "token": token, **kwargs}


def jira_client(connection: str, **kwargs: Any) -> Jira:
    """An atlassian-python-api ``Jira`` client; ``kwargs`` go to ``Jira()``.

    Raises ``ValueError`` for an invalid connection name, AtlassianOAuthError
    for an OAuth connection, and ConnectionInitError without a URL and token.
    """
    options = _options(connection, kwargs)

    from atlassian import Jira

    return Jira(**options)


def confluence_client(connection: str, **kwargs: Any) -> Confluence:
    """An atlassian-python-api ``Confluence`` client; ``kwargs`` go to it."""
    options = _options(connection, kwargs)

    from atlassian import Confluence

    return Confluence(**options)  # type: ignore[no-untyped-call,unused-ignore]


def get_base_url(connection: str) -> str | None:
    """The connection's Atlassian site URL (``BaseURL`` or ``AccessURL``), or None."""
    check_connection_name(connection)
    return (
        os.environ.get(f"{connection}__BaseURL")
        or os.environ.get(f"{connection}__AccessURL")
        or None
    )
