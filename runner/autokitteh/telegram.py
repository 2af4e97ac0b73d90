"""Telegram client initialization, based on an AutoKitteh connection.

Keys: ``BotToken``; ``base_url`` is python-telegram-bot's ``base_url``, the
prefix the token is appended to (default ``https://api.telegram.org/bot``).
Needs ``python-telegram-bot``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _conn

if TYPE_CHECKING:
    from telegram import Bot


def telegram_client(connection: str) -> Bot:
    """A Telegram Bot API client for ``connection`` (its methods are async).

    Raises ``ValueError`` for an invalid connection name and
    ConnectionInitError without a bot token.
    """
    (token,) = _conn.need(connection, "BotToken")

    from telegram import Bot

    options: dict[str, Any] = {"token": token}
    base = _conn.base_url(connection)
    if base:
        options["base_url"] = base
    return Bot(**options)
