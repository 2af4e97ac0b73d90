"""Pipedrive client initialization, based on an AutoKitteh connection.

Keys: ``company_domain`` (``https://<company>.pipedrive.com``) and
``api_key``; ``base_url``, when set, is used instead of the company domain.
Needs ``pipedrive-python-lib``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _conn

if TYPE_CHECKING:
    from pipedrive.client import Client


def pipedrive_client(connection: str) -> Client:
    """A Pipedrive API client for ``connection``.

    Raises ``ValueError`` for an invalid connection name and
    ConnectionInitError without the company domain and API key.
    """
    domain, api_key = _conn.need(connection, "company_domain", "api_key")

    from pipedrive.client import Client

    client = Client(domain=_conn.base_url(connection) or domain)
    client.set_api_token(api_key)
    return client
