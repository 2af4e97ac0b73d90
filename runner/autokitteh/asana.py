"""Asana client initialization, based on an AutoKitteh connection.

Keys: ``pat`` (personal access token); ``base_url`` overrides the API URL
(default ``https://app.asana.com/api/1.0``). Needs ``asana``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _conn

if TYPE_CHECKING:
    import asana


def asana_client(connection: str) -> asana.ApiClient:
    """An Asana API client for ``connection``.

    Raises ``ValueError`` for an invalid connection name and
    ConnectionInitError without a PAT.
    """
    (pat,) = _conn.need(connection, "pat")

    import asana

    configuration = asana.Configuration()
    configuration.access_token = pat
    base = _conn.base_url(connection)
    if base:
        configuration.host = base.rstrip("/")
    return asana.ApiClient(configuration)
