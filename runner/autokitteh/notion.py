"""Notion client initialization, based on an AutoKitteh connection.

Keys: ``api_key`` (an internal integration secret), else
``oauth_access_token``; ``base_url`` overrides the API URL (default
``https://api.notion.com``). Needs ``notion-client``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _conn
from .connections import check_connection_name
from .errors import ConnectionInitError

if TYPE_CHECKING:
    from notion_client import Client


def notion_client(connection: str) -> Client:
    """A Notion API client for ``connection``.

    Raises ``ValueError`` for an invalid connection name and
    ConnectionInitError without a key or token.
    """
    check_connection_name(connection)
    auth = _conn.first(connection, "api_key", "oauth_access_token")
    if not auth:
        raise ConnectionInitError(connection, ["api_key"])

    from notion_client import Client

    options: dict[str, Any] = {"auth": auth}
    base = _conn.base_url(connection)
    if base:
        options["base_url"] = base.rstrip("/")
    return Client(**options)
