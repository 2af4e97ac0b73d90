"""Slack client initialization, and other helper functions (upstream's names).

Keys: ``oauth_access_token``, else ``private_bot_token`` (Socket Mode apps),
else the legacy ``oauth_AccessToken`` / ``BotToken``; ``base_url`` overrides
the Web API URL (default ``https://slack.com/api/``). Needs ``slack_sdk``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import _conn
from .connections import check_connection_name
from .errors import ConnectionInitError

if TYPE_CHECKING:
    from slack_sdk.web.client import WebClient

TOKEN_KEYS = (
    "oauth_access_token",
    "private_bot_token",
    "oauth_AccessToken",
    "BotToken",
)


def slack_client(connection: str, **kwargs: Any) -> WebClient:
    """A Slack Web API client for ``connection``, checked with ``auth.test``.

    Raises ``ValueError`` for an invalid connection name, ConnectionInitError
    without a token, and ``SlackApiError`` when Slack refuses the token.
    """
    check_connection_name(connection)
    token = _conn.first(connection, *TOKEN_KEYS)
    if not token:
        raise ConnectionInitError(connection, TOKEN_KEYS[:1])
    base = _conn.base_url(connection)
    if base and "base_url" not in kwargs:
        kwargs["base_url"] = base if base.endswith("/") else base + "/"

    from slack_sdk.web.client import WebClient

    client = WebClient(token, **kwargs)
    client.auth_test().validate()  # type: ignore[no-untyped-call,unused-ignore]
    return client


def normalize_channel_name(name: str) -> str:
    """Turn arbitrary text into a valid Slack channel name (at most 50 chars).

    Lower-cased, quotes removed, other invalid characters and runs of
    separators become one ``-``, without leading or trailing hyphens.
    """
    if not name:
        return name
    name = name.lower().strip()
    name = re.sub(r"['\"]", "", name)
    name = re.sub(r"[^a-z0-9_-]", "-", name)
    name = re.sub(r"[_-]{2,}", "-", name)
    name = name[:50]
    if name.startswith("-"):
        name = name[1:]
    if name.endswith("-"):
        name = name[:-1]
    return name
