"""User ``print`` capture: one session print record per call.

``builtins.print`` is replaced before user code loads. Each call is formatted as
print would, echoed to its target (default stdout), and sent as a ``print``
message with a deterministic key (see protocol.py), one trailing newline
stripped and capped at :data:`runner.protocol.MAX_PRINT` characters.
``sys.stdout.write`` and ``logging`` are not captured.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import sys
from typing import Any

from autokitteh import _activity

from runner import protocol
from runner.syscalls import Session

original_print = builtins.print
_MARKER = "\n... [print truncated: {} more characters]"


def truncate(text: str, limit: int = protocol.MAX_PRINT) -> str:
    """Cap ``text`` at ``limit`` characters, saying how much was dropped."""
    if len(text) <= limit:
        return text
    return text[:limit] + _MARKER.format(len(text) - limit)


def install(session: Session) -> None:
    """Replace ``builtins.print`` with the capturing print of ``session``."""

    def ak_print(
        *objects: Any,
        sep: str | None = " ",
        end: str | None = "\n",
        file: Any = None,
        flush: bool = False,
    ) -> None:
        buf = io.StringIO()
        original_print(*objects, sep=sep, end=end, file=buf)
        text = buf.getvalue()
        if text.endswith("\n"):
            text = text[:-1]
        text = truncate(text)
        key = session.print_key()
        if key is not None:  # None: an abandoned activity's late print
            session.chan.send(protocol.PRINT, {"key": key, "text": text})
        if file is None or file is sys.stdout or file is sys.stderr:
            target = file if file is not None else sys.stdout
            with contextlib.suppress(OSError, ValueError, AttributeError):
                original_print(text, file=target, flush=flush)
        else:
            original_print(*objects, sep=sep, end=end, file=file, flush=flush)

    setattr(ak_print, _activity.ACTIVITY_ATTR, False)
    ak_print.__doc__ = original_print.__doc__
    builtins.print = ak_print
