"""Warm-up of a pre-forked idle runner while it waits for its session.

A runner forked from the zygote shares its memory copy-on-write: the first
time it runs a code path it writes refcounts and allocator pages and each
write costs a page fault (and a page copy). Between ``assign`` and the user
module's first line that was ~400 faults and ~2 ms of CPU on a 2-core VM,
all on the path from webhook to handler. Running the same paths once on
dummy data while idle moves most of those faults before the session comes.

Nothing of a session is here: no user code or module, no environment of its
own, nothing sent on the socket; what it leaves (private copies of pages, a
cached thread stack) is what the session would have made anyway.
"""

from __future__ import annotations

import _thread
import contextlib
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import marshal
import os
import sys
import types
from typing import Any

import autokitteh

from runner import protocol

_RUN = {
    "session_id": "ses_00000000000000000000000000",
    "entrypoint": "program.py:on_event",
    "event": {
        "data": {"body": {"json": {"i": 0}}, "headers": {"Content-Type": "x"}},
        "event_id": "evt_00000000000000000000000000",
        "event_type": "post",
    },
    "durable": False,
    "journal": [],
}

_SOURCE = "import time\n\n\ndef on_event(event):\n    return time.time()\n"


def warm(code_dir: str) -> None:
    """Run the start of a session's path once on dummy data (never raises)."""
    with contextlib.suppress(Exception):  # a warm-up must not cost the session
        _warm(code_dir)


def _warm(code_dir: str) -> None:
    line = protocol.encode(protocol.RUN, _RUN)
    run = protocol.decode(line.rstrip(b"\n"))[1]
    autokitteh.Event.from_wire(run["event"])
    key = "AK_WARMUP_" + str(os.getpid())  # set and removed: environ as it was
    os.environ[key] = "1"
    del os.environ[key]
    # A thread that ends at once: its stack is cached for the heartbeat thread.
    done = _thread.allocate_lock()
    done.acquire()
    _thread.start_new_thread(done.release, ())
    done.acquire()
    # An import through the import system, as the loader's (runner/loader.py):
    # find, lock, stat, hash, unmarshal, exec; then forgotten.
    os.path.isfile(os.path.join(code_dir, "__init__.py"))
    finder = _Finder()
    sys.meta_path.insert(0, finder)
    try:
        module = importlib.import_module(_NAME)
        module.on_event(autokitteh.Event.from_wire(run["event"]))
    finally:
        sys.meta_path.remove(finder)
        sys.modules.pop(_NAME, None)


_NAME = "_ak_warm_up"


class _Loader(importlib.abc.Loader):
    def exec_module(self, module: types.ModuleType) -> None:
        data = _SOURCE.encode()
        hashlib.sha256(data).hexdigest()
        code = marshal.loads(marshal.dumps(compile(data, "<warm-up>", "exec")))
        exec(code, module.__dict__)


class _Finder:
    def find_spec(
        self, fullname: str, path: Any, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _NAME:
            return None
        return importlib.util.spec_from_loader(fullname, _Loader())
