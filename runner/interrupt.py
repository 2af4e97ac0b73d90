"""A graceful stop reaches a non-durable handler that blocks (stdlib only).

Durable workflow code stops at its next safe point (an SDK call, a durable
sleep), but a non-durable handler in a plain ``time.sleep`` (or any blocking
call) never gets there, and the server used to wait the whole stop grace
before killing it. When a stop arrives, the thread that read it sends a
signal to the main thread; its handler raises :class:`Stopped` there (the
blocking call is interrupted) if the handler is running, unless the main
thread is inside the runner's own socket wait, which ends on the stop by
itself.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from types import CodeType, FrameType

from runner.syscalls import Session, Stopped


def _signum() -> int:
    low = getattr(signal, "SIGRTMIN", None)
    return int(low) + 1 if low is not None else int(signal.SIGUSR2)


def install(session: Session, within: CodeType) -> None:
    """Interrupt the handler on a graceful stop (non-durable sessions).

    ``within``: the code of the function that calls the handler; the stop is
    raised only while it is on the main thread's stack (never in the
    runner's own code before or after the handler).
    """
    signum = _signum()
    main = threading.main_thread().ident
    ours = {
        Session._wait.__code__,
        Session._read_turn.__code__,
        Session._read.__code__,
    }
    raised = False

    def on_signal(_signum: int, frame: FrameType | None) -> None:
        nonlocal raised
        reason = session.stop_reason
        if raised or reason is None or session.finished.is_set():
            return
        f, inside = frame, False
        while f is not None:
            if f.f_code in ours:
                return  # the runner's wait sees the stop itself
            inside = inside or f.f_code is within
            f = f.f_back
        if not inside:
            return
        raised = True
        raise Stopped(reason)

    try:
        signal.signal(signum, on_signal)
    except (ValueError, OSError):  # not the main thread, or no such signal
        return

    def on_stop() -> None:
        if main is not None:
            with contextlib.suppress(OSError, ValueError):
                signal.pthread_kill(main, signum)

    session.on_stop = on_stop
