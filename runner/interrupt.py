"""A graceful stop reaches a non-durable handler that blocks (stdlib only).

Durable workflow code stops at its next safe point (an SDK call, a durable
sleep), but a non-durable handler in a plain ``time.sleep`` (or any blocking
call) never gets there, and the server used to wait the whole stop grace
before killing it. When a stop arrives, the thread that read it sends a
signal to the main thread; its handler raises :class:`Stopped` there (the
blocking call is interrupted) if the handler is running, unless the main
thread is inside the runner's own socket code (a message half written; its
waits end on the stop by themselves).
"""

from __future__ import annotations

import _thread
import contextlib
import signal
import threading
from types import CodeType, FrameType

from runner import channel, inbox, printing, protocol, session_errors, syscalls
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
    # The runner's socket code: a stop raised there could cut a message in two.
    mods = (syscalls, channel, inbox, session_errors, printing, protocol)
    ours = {m.__file__ for m in mods}
    raised = False

    def on_signal(_signum: int, frame: FrameType | None) -> None:
        nonlocal raised
        reason = session.stop_reason
        if raised or reason is None or session.finished.is_set():
            return
        f, inside = frame, False
        while f is not None:
            if f.f_code.co_filename in ours:
                return  # its waits see the stop themselves
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

    def nudge() -> None:
        # Until it lands outside the runner's code, or the handler is over.
        pause = threading.Event()  # not time.sleep: user code may patch it
        while not raised and not session.finished.is_set() and main is not None:
            with contextlib.suppress(OSError, ValueError):
                signal.pthread_kill(main, signum)
            pause.wait(0.2)

    nudging: list[bool] = []

    def on_stop() -> None:
        if not nudging:
            nudging.append(True)
            _thread.start_new_thread(nudge, ())

    session.on_stop = on_stop
