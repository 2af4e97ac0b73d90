"""The exceptions that end or stop a session's workflow (runner/syscalls.py).

They derive from BaseException so that user code's ``except Exception`` cannot
swallow them.
"""

from __future__ import annotations

from typing import Any

from runner import divergence

__all__ = [
    "ActivityError",
    "CheckEnd",
    "NonDeterminismError",
    "SessionFailure",
    "Stopped",
]


class SessionFailure(BaseException):
    """Ends the session in ERROR; user ``except Exception`` cannot swallow it."""


class NonDeterminismError(SessionFailure):
    """The workflow made a different call than the one recorded in the journal.

    ``table`` shows the recorded entry and the call made now side by side
    (runner/divergence.py); the session's error text starts with it.
    """

    def __init__(
        self,
        seq: int,
        recorded: dict[str, Any],
        name: str,
        site: divergence.Site | None = None,
        hashed: str | None = None,
        called: float | None = None,
    ) -> None:
        super().__init__(
            f"non-determinism: journal entry {seq} was recorded for "
            f"{recorded.get('name')!r} but the workflow now calls {name!r}"
        )
        self.seq = seq
        self.recorded = recorded
        self.name = name
        self.site = site
        self.table = divergence.table(seq, recorded, name, site, hashed)

    def with_args(self, hashed: str) -> NonDeterminismError:
        """The same error with the args hash of the call made now."""
        return NonDeterminismError(
            self.seq, self.recorded, self.name, self.site, hashed
        )


class ActivityError(SessionFailure):
    """An activity's result or exception cannot be journaled (pickled)."""


class Stopped(BaseException):
    """Raised in the workflow when the server asked for a graceful stop."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CheckEnd(Stopped):
    """A check run (``ak deploy --check-inflight``) reached the journal's end:
    the first call not in the journal stops it (nothing runs for real)."""


# Tracebacks in session errors name these classes as they were named before
# they moved here (users and the session corpus compare that text).
for _cls in (SessionFailure, NonDeterminismError, ActivityError, Stopped, CheckEnd):
    _cls.__module__ = "runner.syscalls"
