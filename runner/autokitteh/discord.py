"""Discord client initialization, based on an AutoKitteh connection.

Keys: ``BotToken``. ``base_url`` (e.g. ``http://127.0.0.1:8080/api/v10``)
replaces discord.py's REST API URL for the whole process (discord.py has one,
``discord.http.Route.BASE``). Needs ``discord.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _conn

if TYPE_CHECKING:
    import discord


def discord_client(
    connection: str, intents: Any = None, **kwargs: Any
) -> discord.Client:
    """A (not yet logged in) ``discord.Client``; log in with :func:`bot_token`.

    ``intents`` defaults to ``discord.Intents.default()``. Raises
    ``ValueError`` for an invalid connection name and ConnectionInitError
    without a bot token.
    """
    bot_token(connection)

    import discord

    base = _conn.base_url(connection)
    if base:
        discord.http.Route.BASE = base.rstrip("/")
    if not intents:
        intents = discord.Intents.default()
    return discord.Client(intents=intents, **kwargs)


def bot_token(connection: str) -> str:
    """The connection's Discord bot token (ConnectionInitError when unset)."""
    (token,) = _conn.need(connection, "BotToken")
    return token
