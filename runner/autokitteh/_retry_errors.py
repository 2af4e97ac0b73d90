"""Errors of activity retries and timeouts (re-exported by ``autokitteh``).

Both pickle (an attempt's ``ActivityTimeout`` is journaled as its result).
"""

from __future__ import annotations

from typing import Any

from ._errors import AutoKittehError


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
