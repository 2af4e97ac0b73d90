"""A session's handler re-run in the foreground from its journal (``ak session replay``).

``python -m runner.replay --code-dir DIR --run RUN.json [--until SEQ] [--pdb]
[--live]`` (from a directory whose ``runner`` and ``autokitteh`` entries are this
package and its SDK, or with both on ``sys.path``). ``RUN.json`` is the ``run``
message a runner gets (runner/protocol.py): entry point, event, journal.

There is no server: :class:`ReplaySession` answers from the journal, so each
activity and journaled syscall returns its recorded value (or raises its
recorded exception) without running, and prints go to the terminal only.
Under ``--pdb`` ``breakpoint()`` stops in pdb (runner and SDK frames are
skipped when stepping); without it
``breakpoint()`` prints the same one-line hint as in a session. Past the
journal's end (or ``--until SEQ``) the replay stops, or with ``--live`` goes on
for real: activities run here, ``sleep`` sleeps, the store is in memory and
other syscalls fail.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from autokitteh._errors import AutoKittehError

from runner import protocol
from runner.syscalls import Session, Stopped

_real_sleep = time.sleep
EXIT_DIVERGED = 3  # the handler asked for another call than the journal's


class ReplayEnd(Stopped):
    """The replay reached the end of the journal (or ``--until``)."""


class _NoChannel:
    """Stands in for the socket: nothing is sent anywhere."""

    sock = None

    def send(self, msg_type: str, payload: dict[str, Any]) -> None:
        if msg_type == protocol.LOG:
            sys.stderr.write(f"[replay] {payload.get('message')}\n")

    def send_line(self, data: bytes) -> None:
        pass


class ReplaySession(Session):
    """A :class:`Session` that answers from the journal, in this process."""

    def __init__(self, until: int | None = None, live: bool = False) -> None:
        super().__init__(_NoChannel())  # type: ignore[arg-type]
        self.until = until
        self.live = live
        self.store: dict[str, Any] = {}
        self.replayed = 0
        self._from_journal = False  # the last journaled syscall was replayed

    def start_threads(self) -> None:
        pass

    def next_seq(self, name: str) -> tuple[int, dict[str, Any] | None]:
        seq, entry = super().next_seq(name)
        if self.until is not None and seq > self.until:
            raise ReplayEnd(f"stopped before seq {seq} ({name}): --until {self.until}")
        if entry is None and not self.live:
            raise ReplayEnd(
                f"end of the journal: seq {seq} ({name}) was never recorded"
                " (--live runs it for real)"
            )
        if entry is not None:
            self.replayed += 1
        return seq, entry

    def begin_activity(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_start(self, seq: int) -> None:
        pass

    def activity_done(self, seq: int, name: str, result: str, is_error: bool) -> None:
        pass  # a live activity's result is used as is (nothing to commit)

    def syscall(self, op: str, args: dict[str, Any]) -> Any:
        if not self.in_activity() and self.durable and op in protocol.JOURNALED_OPS:
            _seq, entry = self.next_seq(op)
            self._from_journal = entry is not None
            if entry is not None:
                if entry.get("is_error"):
                    raise AutoKittehError(f"{op}: {entry.get('value')}")
                return entry.get("value")
        return self._local(op, args)

    def _local(self, op: str, args: dict[str, Any]) -> Any:
        """A syscall made for real past the journal (``--live``)."""
        if op == "sleep":
            return {"wake_at": time.time() + float(args.get("seconds") or 0)}
        if op == "is_deployment_active":
            return True
        if op == "store":
            return self._store(str(args.get("op")), str(args.get("key")), args)
        raise AutoKittehError(f"{op}: not available in a local replay")

    def _store(self, op: str, key: str, args: dict[str, Any]) -> Any:
        operands = list(args.get("operands") or [])
        if op == "get":
            return self.store.get(key)
        if op == "set":
            self.store[key] = operands[0] if operands else None
            return None
        if op == "del":
            self.store.pop(key, None)
            return None
        if op == "add":
            self.store[key] = (self.store.get(key) or 0) + operands[0]
            return self.store[key]
        if op == "list":
            return sorted(self.store)
        raise AutoKittehError(f"store: {op} is not available in a local replay")

    def sleep(self, seconds: float) -> None:
        self._from_journal = False
        super().sleep(seconds)

    def wait_until(self, wake_at: float) -> None:
        # A replayed sleep does not wait; a live one (past the journal) does.
        left = wake_at - time.time()
        if left > 0 and self.live and not self._from_journal:
            _real_sleep(left)

    def log(self, level: str, message: str) -> None:
        sys.stderr.write(f"[replay] {level}: {message}\n")


def pdb_hook() -> None:
    """``sys.breakpointhook`` under ``--pdb``: stop in the caller's frame."""
    import pdb

    debugger = pdb.Pdb(skip=["runner", "runner.*", "autokitteh", "autokitteh.*"])
    debugger.set_trace(sys._getframe(1))


def replay(
    code_dir: str, run: dict[str, Any], until: int | None, use_pdb: bool, live: bool
) -> dict[str, Any]:
    """Install the runner's hooks on a :class:`ReplaySession` and run the handler."""
    from autokitteh import _runtime

    from runner import call, loader, main, printing, retrying

    code_dir = os.path.realpath(code_dir)
    os.chdir(code_dir)
    stage = os.path.dirname(os.path.dirname(os.path.abspath(call.__file__)))
    main.fix_sys_path(code_dir, stage)
    session = ReplaySession(until, live)
    session.code_dir = code_dir
    _runtime.install(session)
    call.set_session(session)
    printing.install(session)
    retrying.install()
    session.durable = bool(run.get("durable"))

    def on_exec(entering: bool) -> None:
        session.loading += 1 if entering else -1

    loader.install(
        code_dir,
        durable=session.durable,
        ak_call=call._ak_call,
        ak_acall=call._ak_acall,
        on_exec=on_exec,
    )
    sys.breakpointhook = pdb_hook if use_pdb else main.breakpoint_hint
    done = main.execute(session, run)
    done["replayed"] = session.replayed
    return done


def _report(done: dict[str, Any]) -> int:
    n = done.get("replayed", 0)
    state = done["state"]
    if state == protocol.COMPLETED:
        value = json.dumps(done.get("value"))
        sys.stderr.write(f"[replay] completed ({n} journaled); return value: {value}\n")
        return 0
    if state == protocol.STOPPED:
        sys.stderr.write(f"[replay] {done.get('reason')} ({n} journaled)\n")
        return 0
    sys.stderr.write(str(done.get("error") or "") + "\n")
    diverged = "non-determinism" in str(done.get("error"))
    sys.stderr.write(f"[replay] ended in ERROR ({n} journaled)\n")
    return EXIT_DIVERGED if diverged else 1


def cli(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="runner.replay")
    parser.add_argument("--code-dir", required=True)
    parser.add_argument("--run", required=True, help="the run message (JSON file)")
    parser.add_argument("--until", type=int, default=None)
    parser.add_argument("--pdb", action="store_true")
    parser.add_argument("--live", action="store_true")
    args = parser.parse_args(argv)
    with open(args.run, encoding="utf-8") as f:
        run = json.load(f)
    done = replay(args.code_dir, run, args.until, args.pdb, args.live)
    code = _report(done)
    sys.stdout.flush()
    os._exit(code)


if __name__ == "__main__":
    from runner import replay as _replay

    _replay.cli()
