"""Anthropic client initialization, based on an AutoKitteh connection.

Keys: ``api_key``; ``base_url`` overrides the API URL (default
``https://api.anthropic.com``). Needs ``anthropic``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _conn

if TYPE_CHECKING:
    from anthropic import Anthropic


def anthropic_client(connection: str) -> Anthropic:
    """An Anthropic API client for ``connection``.

    Raises ``ValueError`` for an invalid connection name and
    ConnectionInitError without an API key.
    """
    (api_key,) = _conn.need(connection, "api_key")

    from anthropic import Anthropic

    return Anthropic(api_key=api_key, base_url=_conn.base_url(connection) or None)
