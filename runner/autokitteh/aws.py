"""Boto3 (AWS SDK) client initialization, based on an AutoKitteh connection.

Keys: ``AccessKeyID``, ``SecretKey``, optional ``Token`` (session token) and
``Region``; ``base_url`` becomes boto3's ``endpoint_url`` (e.g. a local S3 or
DynamoDB). Needs ``boto3``.
"""

from __future__ import annotations

from typing import Any

from . import _conn
from .connections import check_connection_name


def boto3_client(connection: str, service: str, region: str = "", **kwargs: Any) -> Any:
    """A boto3 client for AWS ``service`` (e.g. ``"s3"``) with the connection's keys.

    ``region`` defaults to the connection's ``Region``. Raises ``ValueError``
    for an invalid connection name or an empty service name, and
    ConnectionInitError without the access key ID and secret key (upstream
    falls back to boto3's own credential chain instead).
    """
    check_connection_name(connection)
    if not service:
        raise ValueError("AWS service name is required")
    key_id, secret = _conn.need(connection, "AccessKeyID", "SecretKey")
    region = region or _conn.var(connection, "Region")
    base = _conn.base_url(connection)
    if base:
        kwargs.setdefault("endpoint_url", base)

    import boto3

    return boto3.client(
        service,
        region or None,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=_conn.var(connection, "Token") or None,
        **kwargs,
    )
