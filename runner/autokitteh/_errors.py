"""Errors raised by the SDK."""

from __future__ import annotations


class AutoKittehError(Exception):
    """Generic SDK error; every failed syscall raises it as ``"<op>: <error>"``."""


class ConnectionInitError(AutoKittehError):
    """A connection is not initialized."""

    def __init__(self, connection: str) -> None:
        super().__init__(f"AutoKitteh connection {connection!r} not initialized")


class EnvVarError(AutoKittehError):
    """An environment variable is missing or invalid."""

    def __init__(self, var: str, desc: str) -> None:
        super().__init__(f"Environment variable {var!r} is {desc}")


class OAuthRefreshError(AutoKittehError):
    """Refreshing an OAuth token failed."""

    def __init__(self, connection: str, error: object) -> None:
        super().__init__(f"OAuth refresh failed for {connection!r} connection: {error}")


class AtlassianOAuthError(AutoKittehError):
    """API calls are not supported by an OAuth-based Atlassian connection."""

    def __init__(self, connection: str) -> None:
        super().__init__(
            "API calls not supported by OAuth-based Atlassian connection "
            f"{connection!r}"
        )


class AuthenticationError(Exception):
    """Authentication against a connection failed."""

    def __init__(self, connection: str, reason: str) -> None:
        super().__init__(
            f"Authentication failed for connection {connection!r}: {reason}"
        )
