"""The rules of `ak check` (akcli/check.py): codes, call names and fixes."""

from __future__ import annotations

NONDETERMINISTIC = "AK101"
SET_ITERATION = "AK102"
UNPICKLABLE = "AK103"
MODULE_SIDE_EFFECT = "AK104"
THREAD = "AK105"
BREAKPOINT = "AK106"
SYNTAX = "AK001"

SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", "venv"}

NONDET_EXACT = {
    "time.time",
    "time.time_ns",
    "time.monotonic",
    "time.monotonic_ns",
    "time.perf_counter",
    "time.perf_counter_ns",
    "time.localtime",
    "time.ctime",
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.today",
    "datetime.date.today",
    "uuid.uuid1",
    "uuid.uuid4",
    "os.urandom",
    "os.getrandom",
}
NONDET_MODULES = ("random.", "secrets.")
THREADS = {
    "threading.Thread",
    "threading.Timer",
    "_thread.start_new_thread",
    "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.ProcessPoolExecutor",
    "multiprocessing.Process",
    "multiprocessing.Pool",
}
UNPICKLABLE_CALLS = {
    "open",
    "threading.Lock",
    "threading.RLock",
    "threading.Condition",
    "threading.Semaphore",
    "threading.Event",
    "socket.socket",
}
SIDE_EFFECT_PREFIXES = (
    "requests.",
    "httpx.",
    "urllib.request.",
    "subprocess.",
    "socket.",
    "shutil.",
    "random.",
    "secrets.",
)
SIDE_EFFECT_EXACT = {
    "os.system",
    "os.remove",
    "os.unlink",
    "os.makedirs",
    "os.mkdir",
    "os.rename",
    "time.sleep",
    "time.time",
    "uuid.uuid4",
    *THREADS,
}

FIX_ACTIVITY = (
    "move the call into an @autokitteh.activity function (its result is then journaled)"
)
FIX_SORT = "iterate over sorted(...) instead"
FIX_PICKLE = "pass or return plain data (str, numbers, dicts, dataclasses); create the object inside the activity"
FIX_MODULE = "move it into the handler (or an @autokitteh.activity function)"
FIX_THREAD = "use autokitteh.gather/parallel_map, or start the thread inside an @autokitteh.activity function"
FIX_BREAKPOINT = (
    "debug with `ak session replay <session_id> --pdb` (a session only prints a hint)"
)
