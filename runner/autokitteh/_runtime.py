"""The hook between the SDK and the runner.

Under the runner, :func:`install` is called with an object implementing
:class:`Runtime`; SDK functions that need the server call :func:`current` and go
through it. Outside a runner ``current()`` is ``None`` and every SDK function
uses its documented local fallback.
"""

from __future__ import annotations

from typing import Any


class Runtime:
    """What the runner provides to the SDK (the runner subclasses this)."""

    def syscall(self, op: str, args: dict[str, Any]) -> Any:
        """Send syscall ``op`` to the server and return its result.

        Raises ``AutoKittehError("<op>: <error>")`` when the server says no.
        """
        raise NotImplementedError

    def sleep(self, seconds: float) -> None:
        """Sleep: durable in workflow context, real inside activities."""
        raise NotImplementedError

    def in_activity(self) -> bool:
        """Whether the calling code runs inside an activity."""
        return False


_current: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    """Install (or with ``None`` remove) the runner's runtime."""
    global _current
    _current = runtime


def current() -> Runtime | None:
    """The installed runtime, or ``None`` outside a runner."""
    return _current
