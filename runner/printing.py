"""User output capture: session print records.

``builtins.print`` is replaced before user code loads. Each call is formatted as
print would, echoed to its target (default stdout), and sent as a ``print``
message with a deterministic key (see protocol.py), one trailing newline
stripped and capped at :data:`runner.protocol.MAX_PRINT` characters.

``sys.stdout`` and ``sys.stderr`` are replaced by :class:`CapturedStream`: what
is written to them directly (``sys.stdout.write``, ``logging``'s stream
handlers, warnings) is echoed to the original stream and sent as one print per
write of complete lines; a trailing partial line waits for its newline, a
``flush()`` or the end of the session.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import sys
import threading
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


class CapturedStream(io.TextIOBase):
    """A text stream that echoes to ``raw`` and sends complete lines as prints."""

    def __init__(self, session: Session, raw: Any) -> None:
        super().__init__()
        self.session = session
        self.raw = raw
        self._pending = ""
        self._lock = threading.Lock()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.raw, "encoding", None) or "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.raw, "errors", None)

    def __getattr__(self, name: str) -> Any:
        # The original stream's other attributes (``buffer``: bytes written
        # there are not captured). Private names stay io's own.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.raw, name)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return int(self.raw.fileno())

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self.raw.write(text)
        with self._lock:
            data = self._pending + text
            head, sep, self._pending = data.rpartition("\n")
        if sep:
            send(self.session, head)
        return len(text)

    def flush(self) -> None:
        with self._lock:
            rest, self._pending = self._pending, ""
        if rest:
            send(self.session, rest)
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self.raw.flush()


def send(session: Session, text: str) -> None:
    """Send ``text`` (capped) as the session's next print."""
    key = session.print_key()
    session.send_print(key, truncate(text))


def raw(stream: Any) -> Any:
    """The original stream behind a :class:`CapturedStream` (else ``stream``)."""
    return stream.raw if isinstance(stream, CapturedStream) else stream


def install(session: Session) -> None:
    """Capture ``print``, ``sys.stdout`` and ``sys.stderr`` into ``session``."""
    sys.stdout = CapturedStream(session, sys.stdout)
    sys.stderr = CapturedStream(session, sys.stderr)

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
            session.send_print(key, text)
        if file is None or file is sys.stdout or file is sys.stderr:
            target = raw(file if file is not None else sys.stdout)
            with contextlib.suppress(OSError, ValueError, AttributeError):
                original_print(text, file=target, flush=flush)
        else:
            original_print(*objects, sep=sep, end=end, file=raw(file), flush=flush)

    setattr(ak_print, _activity.ACTIVITY_ATTR, False)
    ak_print.__doc__ = original_print.__doc__
    builtins.print = ak_print
