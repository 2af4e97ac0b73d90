"""One error hierarchy for the CLI and the server, with upstream `ak`'s exit codes.

Each class carries the exit code the CLI exits with and the Connect-style code
name the server puts on the wire, so an error raised in the server reaches the
user with the same code it would have had in upstream `ak`.
"""

from __future__ import annotations

from typing import ClassVar


class AkError(Exception):
    """Any error meant for the user: printed as one `Error: <msg>` line."""

    exit_code: ClassVar[int] = 1
    code: ClassVar[str] = "unknown"


class BadRequest(AkError):
    exit_code = 40
    code = "invalid_argument"


class Unauthenticated(AkError):
    exit_code = 41
    code = "unauthenticated"


class FailedPrecondition(AkError):
    exit_code = 42
    code = "failed_precondition"


class Unauthorized(AkError):
    exit_code = 43
    code = "permission_denied"


class NotFound(AkError):
    exit_code = 44
    code = "not_found"


class AlreadyExists(AkError):
    code = "already_exists"


class Conflict(AkError):
    code = "conflict"


class ResourceExhausted(AkError):
    code = "resource_exhausted"


class ServerUnavailable(AkError):
    """No server answered at the configured URL."""

    code = "unavailable"


class UsageError(AkError):
    """Bad flags or arguments; rc 1 as upstream's cobra, not click's 2."""


_BY_CODE: dict[str, type[AkError]] = {
    cls.code: cls
    for cls in (
        BadRequest,
        Unauthenticated,
        FailedPrecondition,
        Unauthorized,
        NotFound,
        AlreadyExists,
        Conflict,
        ResourceExhausted,
        ServerUnavailable,
    )
}


def from_code(code: str, message: str) -> AkError:
    """Rebuild the error a server sent as `{"code": ..., "message": ...}`."""
    return _BY_CODE.get(code, AkError)(message)


def not_found(what: str) -> NotFound:
    """The `--fail` convention: `Error: <what>: not_found`, rc 44."""
    return NotFound(f"{what}: not_found")
