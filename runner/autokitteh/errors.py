"""AutoKitteh SDK errors (upstream's ``autokitteh.errors`` module).

The same classes are exported at the package top level (``autokitteh.X is
autokitteh.errors.X``). Each error pickles back to an equal error (the runner
journals exceptions raised in activities).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

#: Environment variable naming the session's project; used only to make the
#: ``ak connection set`` hint in :class:`ConnectionInitError` copy-pasteable.
PROJECT_ENV_VAR = "AK_PROJECT_NAME"


class AutoKittehError(Exception):
    """Generic SDK error; every failed syscall raises it as ``"<op>: <error>"``."""


def connection_set_command(connection: str, keys: Sequence[str] = ()) -> str:
    """The ``ak connection set`` command that initializes ``connection``.

    The project is ``$AK_PROJECT_NAME`` when the server sets it, else the
    placeholder ``<project>``.
    """
    project = os.environ.get(PROJECT_ENV_VAR) or "<project>"
    assigns = " ".join(f"{k}=..." for k in keys) or "KEY=..."
    return f"ak connection set {project}/{connection} {assigns}"


class ConnectionInitError(AutoKittehError):
    """A required AutoKitteh connection was not initialized yet.

    ``keys`` are the connection keys to set (the first choice when there are
    alternatives); the message ends with the ``ak connection set`` command.
    """

    def __init__(self, connection: str, keys: Sequence[str] = ()) -> None:
        self.connection = connection
        self.keys = tuple(keys)
        super().__init__(
            f"AutoKitteh connection {connection!r} not initialized; run: "
            + connection_set_command(connection, self.keys)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.connection, self.keys))


class EnvVarError(AutoKittehError):
    """A required environment variable is missing or invalid."""

    def __init__(self, env_var: str, desc: str) -> None:
        self.env_var = env_var
        self.desc = desc
        super().__init__(f"Environment variable {env_var!r} is {desc}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.env_var, self.desc))


class OAuthRefreshError(AutoKittehError):
    """Refreshing an OAuth token failed."""

    def __init__(self, connection: str, error: object) -> None:
        self.connection = connection
        self.error = str(error)
        super().__init__(f"OAuth refresh failed for {connection!r} connection: {error}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.connection, self.error))


class AtlassianOAuthError(AutoKittehError):
    """API calls are not supported by OAuth-based Atlassian connections."""

    def __init__(self, connection: str) -> None:
        self.connection = connection
        super().__init__(
            f"API calls not supported by {connection!r}, "
            "use a token-based connection instead"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.connection,))


class AuthenticationError(Exception):
    """Authentication against a connection failed."""

    def __init__(self, connection: str, reason: str) -> None:
        self.connection = connection
        self.reason = reason
        super().__init__(
            f"Authentication failed for connection {connection!r}: {reason}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.connection, self.reason))


# Activity retries and timeouts. Both pickle (an attempt's ActivityTimeout is
# journaled as its result).
class ActivityTimeout(AutoKittehError):
    """An activity attempt ran longer than its ``timeout`` and was abandoned.

    ``activity`` is the activity's name, ``timeout`` the limit in seconds.
    """

    def __init__(self, activity: str, timeout: float) -> None:
        super().__init__(f"activity {activity!r} timed out after {timeout:g} s")
        self.activity = activity
        self.timeout = timeout

    def __reduce__(self) -> tuple[Any, ...]:
        return (ActivityTimeout, (self.activity, self.timeout))


class RetriesExhausted(AutoKittehError):
    """Every attempt of an activity failed with a retryable error.

    ``errors`` holds each attempt's exception in order; ``last`` is the final
    one (also the ``__cause__``).
    """

    def __init__(self, activity: str, errors: list[BaseException]) -> None:
        last = errors[-1] if errors else None
        super().__init__(
            f"activity {activity!r} failed after {len(errors)} attempts: {last!r}"
        )
        self.activity = activity
        self.errors = list(errors)

    @property
    def last(self) -> BaseException | None:
        """The last attempt's error."""
        return self.errors[-1] if self.errors else None

    @property
    def attempts(self) -> int:
        """How many attempts were made."""
        return len(self.errors)

    def __reduce__(self) -> tuple[Any, ...]:
        return (RetriesExhausted, (self.activity, self.errors))


# Shown (and pickled) by their public name: ``autokitteh.ActivityTimeout``.
ActivityTimeout.__module__ = "autokitteh"
RetriesExhausted.__module__ = "autokitteh"
