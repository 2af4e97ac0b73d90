"""A saga: book A, book B, booking C fails -> undo B, undo A (in reverse).

Every booking and every compensation is an activity, so a crash (even during
the compensation) resumes where it was: journaled steps are not repeated.
Undo steps retry (a compensation must not give up on a transient error).
UNDO_DELAY (seconds, default 0) slows each undo so a test can kill the server
during one. ``python program.py`` runs it without a server, with the same prints.
"""

import os
import time

import autokitteh

UNDO_DELAY = float(os.environ.get("UNDO_DELAY") or "0")


class BookingFailed(Exception):
    pass


@autokitteh.activity
def book(item):
    if item == "C":
        print(f"fail {item}")
        raise BookingFailed(f"no availability for {item}")
    print(f"book {item}")
    return f"ref-{item}"


@autokitteh.activity(retries=5, backoff=0.5)
def undo(item, ref):
    print(f"undo {item}")
    time.sleep(UNDO_DELAY)
    return f"cancelled {ref}"


def main(event):
    compensations = []
    try:
        for item in ["A", "B", "C"]:
            ref = book(item)
            compensations.append((item, ref))
    except BookingFailed as e:
        for item, ref in reversed(compensations):
            undo(item, ref)
        return f"rolled back: {e}"
    return "booked"


if __name__ == "__main__":
    print(main(None))
