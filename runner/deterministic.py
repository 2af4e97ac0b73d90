"""The deterministic allow-list: calls that run inline in workflow code.

Upstream's list (runtime.md §3.2) with its typos fixed (``statistics``,
``zoneinfo``). Everything not listed here (and not user code, SDK or registered)
runs as an activity: ``time.time``, ``random.random``, ``datetime.now``, I/O...
"""

from __future__ import annotations

import asyncio
import builtins
import datetime
import json
from typing import Any

DETERMINISTIC_MODULES = frozenset(
    {
        "abc",
        "array",
        "base64",
        "bisect",
        "builtins",
        "bz2",
        "cmath",
        "collections",
        "collections.abc",
        "contextlib",
        "copy",
        "csv",
        "dataclasses",
        "decimal",
        "_decimal",
        "enum",
        "fnmatch",
        "fractions",
        "functools",
        "_functools",
        "graphlib",
        "gzip",
        "hashlib",
        "_hashlib",
        "heapq",
        "_heapq",
        "html",
        "html.entities",
        "html.parser",
        "ipaddress",
        "itertools",
        "lzma",
        "math",
        "operator",
        "_operator",
        "pprint",
        "re",
        "shlex",
        "statistics",
        "struct",
        "_struct",
        "textwrap",
        "tomllib",
        "traceback",
        "types",
        "typing",
        "unicodedata",
        "urllib.error",
        "urllib.parse",
        "xml",
        "xml.dom",
        "xml.dom.minidom",
        "xml.dom.pulldom",
        "xml.etree.ElementTree",
        "xml.parsers.expat",
        "xml.sax",
        "zipfile",
        "zlib",
        "zoneinfo",
        "json",
        "json.decoder",
        "json.encoder",
    }
)

DETERMINISTIC_TYPES: tuple[type, ...] = (
    bytearray,
    bytes,
    dict,
    frozenset,
    list,
    memoryview,
    range,
    set,
    str,
    tuple,
    int,
    float,
    complex,
    bool,
)

_ASYNCIO_NAMES = (
    "create_task",
    "current_task",
    "gather",
    "LifoQueue",
    "PriorityQueue",
    "Queue",
    "run",
    "run_coroutine_threadsafe",
    "Runner",
    "shield",
    "Task",
    "timeout",
    "wait",
    "wait_for",
)

# datetime: constructors and pure methods (not now/today/utcnow).
_DATETIME_PURE = (
    "fromisoformat",
    "isoformat",
    "strftime",
    "strptime",
    "replace",
    "timestamp",
    "astimezone",
    "combine",
    "weekday",
    "isoweekday",
    "isocalendar",
    "date",
    "time",
    "timetz",
    "timetuple",
    "utctimetuple",
    "toordinal",
    "fromordinal",
    "fromtimestamp",
    "utcoffset",
    "tzname",
    "dst",
    "ctime",
    "total_seconds",
)
_DATETIME_TYPES: tuple[type, ...] = (
    datetime.date,
    datetime.datetime,
    datetime.time,
    datetime.timedelta,
    datetime.timezone,
)


def _explicit() -> set[int]:
    ids: set[int] = {id(json.dumps), id(json.loads)}
    # Everything in builtins (open, print, len, exception classes, ...): upstream
    # never instruments builtin names.
    ids.update(id(v) for v in vars(builtins).values() if callable(v))
    for name in _ASYNCIO_NAMES:
        if hasattr(asyncio, name):
            ids.add(id(getattr(asyncio, name)))
    for cls in _DATETIME_TYPES:
        ids.add(id(cls))
        for name in _DATETIME_PURE:
            attr = cls.__dict__.get(name)
            if attr is not None:
                ids.add(id(attr))
    return ids


_EXPLICIT_IDS = _explicit()
# Keep the objects alive so their ids stay unique.
_KEEP: list[Any] = [json.dumps, json.loads, asyncio, dict(vars(builtins))]


def _module_of(fn: Any) -> str | None:
    module = getattr(fn, "__module__", None)
    return module if isinstance(module, str) else None


def is_deterministic(fn: Any) -> bool:
    """Whether calling ``fn`` is on the allow-list (runs inline in workflows)."""
    if id(fn) in _EXPLICIT_IDS:
        return True
    if isinstance(fn, type) and issubclass(fn, DETERMINISTIC_TYPES):
        return fn.__module__ == "builtins" or fn in DETERMINISTIC_TYPES
    # Method descriptors of allow-listed types or of exceptions.
    objclass = getattr(fn, "__objclass__", None)
    if isinstance(objclass, type) and (
        objclass in DETERMINISTIC_TYPES or issubclass(objclass, BaseException)
    ):
        return True
    owner = getattr(fn, "__self__", None)
    if owner is not None and not isinstance(owner, type(json)):
        # A bound method: decide by its instance (or class).
        cls = owner if isinstance(owner, type) else type(owner)
        if type(owner) in DETERMINISTIC_TYPES or cls in DETERMINISTIC_TYPES:
            return True
        if isinstance(owner, BaseException):
            return True
        if isinstance(owner, _DATETIME_TYPES):
            name = getattr(fn, "__name__", "")
            return name in _DATETIME_PURE
        if isinstance(owner, type) and issubclass(owner, _DATETIME_TYPES):
            # Class methods: only the pure ones (not now/today/utcnow).
            return getattr(fn, "__name__", "") in _DATETIME_PURE
        cls_module = getattr(cls, "__module__", None)
        if cls_module in DETERMINISTIC_MODULES and cls_module != "builtins":
            return True
    module = _module_of(fn)
    if module is None:
        return False
    if module == "builtins" and owner is not None and not isinstance(owner, type(json)):
        # Bound builtin methods of non-allow-listed objects (files, sockets...).
        return False
    return module in DETERMINISTIC_MODULES
