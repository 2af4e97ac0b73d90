"""Errors raised by the SDK (defined in :mod:`autokitteh.errors`)."""

from __future__ import annotations

from .errors import (
    AtlassianOAuthError,
    AuthenticationError,
    AutoKittehError,
    ConnectionInitError,
    EnvVarError,
    OAuthRefreshError,
)

__all__ = [
    "AtlassianOAuthError",
    "AuthenticationError",
    "AutoKittehError",
    "ConnectionInitError",
    "EnvVarError",
    "OAuthRefreshError",
]
