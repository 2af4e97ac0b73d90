"""Reading connection variables (``<connection>__<key>`` environment variables)."""

from __future__ import annotations

import os

from .connections import check_connection_name
from .errors import ConnectionInitError

#: Connection key that overrides a client's API base URL (GitHub: ``enterprise_url``).
BASE_URL_KEY = "base_url"


def var(connection: str, key: str) -> str:
    """The value of connection var ``key``, or ``""`` when unset."""
    return os.environ.get(f"{connection}__{key}", "")


def first(connection: str, *keys: str) -> str:
    """The first non-empty value among ``keys``, or ``""``."""
    for key in keys:
        value = var(connection, key)
        if value:
            return value
    return ""


def need(connection: str, *keys: str) -> list[str]:
    """The values of all ``keys``; ConnectionInitError names the missing ones."""
    check_connection_name(connection)
    values = [var(connection, k) for k in keys]
    missing = [k for k, v in zip(keys, values, strict=True) if not v]
    if missing:
        raise ConnectionInitError(connection, missing)
    return values


def base_url(connection: str) -> str:
    """The connection's API base URL override (``<conn>__base_url``), or ``""``."""
    return var(connection, BASE_URL_KEY)
