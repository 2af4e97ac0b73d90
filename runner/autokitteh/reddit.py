"""Reddit client initialization, based on an AutoKitteh connection.

Keys: ``client_id``, ``client_secret``, ``user_agent``, and optional
``username`` + ``password`` (without them the client is read-only).
``base_url`` replaces both of PRAW's URLs (``oauth_url``,
``https://oauth.reddit.com``, and ``reddit_url``, ``https://www.reddit.com``).
Needs ``praw``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _conn

if TYPE_CHECKING:
    import praw


def reddit_client(connection: str) -> praw.Reddit:
    """A PRAW Reddit client for ``connection``.

    Raises ``ValueError`` for an invalid connection name and
    ConnectionInitError without the client ID, secret and user agent.
    """
    client_id, client_secret, user_agent = _conn.need(
        connection, "client_id", "client_secret", "user_agent"
    )
    options: dict[str, Any] = {
        "client_id": client_id,
        "client_secret": client_secret,
        "user_agent": user_agent,
    }
    username = _conn.var(connection, "username")
    password = _conn.var(connection, "password")
    if username and password:
        options.update(username=username, password=password)
    base = _conn.base_url(connection).rstrip("/")
    if base:
        options.update(oauth_url=base, reddit_url=base)

    import praw

    return praw.Reddit(**options)
