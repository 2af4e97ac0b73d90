"""OpenAI client initialization, based on an AutoKitteh connection.

Keys: ``apiKey``; ``base_url`` overrides the API URL (default
``https://api.openai.com/v1``). Needs ``openai``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _conn

if TYPE_CHECKING:
    from openai import OpenAI


def openai_client(connection: str) -> OpenAI:
    """An OpenAI API client for ``connection``.

    Raises ``ValueError`` for an invalid connection name and
    ConnectionInitError without an API key.
    """
    (api_key,) = _conn.need(connection, "apiKey")

    from openai import OpenAI

    return OpenAI(api_key=api_key, base_url=_conn.base_url(connection) or None)
