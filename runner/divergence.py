"""Call sites and argument hashes of journal entries, and the table shown when
a replay asks for another call than the journal recorded.

Each live activity records where the workflow called it (the file relative to
the code directory, the line, the qualified name of the calling function, and
that line's source text) and a short hash of its arguments. The site comes from
the calling frame: the rewritten call's line number is the rewriter's (compile
time, ``ast.copy_location``), read with ``sys._getframe`` (no ``inspect``) and
cached per code object and line, so an activity pays one short frame walk and a
dict lookup. The hash is a BLAKE2b of the pickled ``(args, kwargs)`` (of their
reprs when they do not pickle: a ``~`` prefix). A differing hash alone is shown,
not fatal: values such as sets of strings pickle differently per process.
"""

from __future__ import annotations

import hashlib
import linecache
import os
import pickle
import sys
from types import CodeType
from typing import Any, NamedTuple


class Site(NamedTuple):
    """Where the workflow made a call."""

    file: str  # relative to the code directory
    line: int
    name: str  # qualified name of the calling function
    source: str  # the stripped source line

    def to_wire(self) -> list[Any]:
        return [self.file, self.line, self.name, self.source]

    @classmethod
    def from_wire(cls, value: Any) -> Site | None:
        if not isinstance(value, list | tuple) or len(value) != 4:
            return None
        return cls(str(value[0]), int(value[1]), str(value[2]), str(value[3]))

    def where(self) -> str:
        return f"{self.file}:{self.line} in {self.name}"


_code_dir = ""
_sites: dict[tuple[CodeType, int], Site] = {}
_getframe = sys._getframe


def set_code_dir(code_dir: str) -> None:
    """The session's code directory (user frames are the ones under it)."""
    global _code_dir
    _code_dir = os.path.realpath(code_dir).rstrip(os.sep) + os.sep if code_dir else ""
    _sites.clear()


def call_site(depth: int = 2) -> Site | None:
    """The innermost user-code frame above the caller (None: none on this
    thread's stack, e.g. an activity started by ``autokitteh.parallel``)."""
    prefix = _code_dir
    if not prefix:
        return None
    try:
        frame: Any = _getframe(depth)
    except ValueError:
        return None
    while frame is not None:
        code = frame.f_code
        if code.co_filename.startswith(prefix):
            key = (code, frame.f_lineno)
            site = _sites.get(key)
            if site is None:
                site = _new_site(code, frame.f_lineno)
            return site
        frame = frame.f_back
    return None


def _new_site(code: CodeType, line: int) -> Site:
    path = code.co_filename
    source = linecache.getline(path, line).strip()
    name = getattr(code, "co_qualname", code.co_name)
    site = Site(path[len(_code_dir) :], line, name, source)
    if len(_sites) < 10_000:
        _sites[(code, line)] = site
    return site


def args_hash(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """A short hash of a call's arguments (see the module docstring)."""
    try:
        data = pickle.dumps((args, kwargs), 4)
        prefix = ""
    except Exception:
        from runner.call import safe_repr

        parts = [safe_repr(a) for a in args]
        parts += [f"{k}={safe_repr(v)}" for k, v in kwargs.items()]
        data = "\0".join(parts).encode("utf-8", "replace")
        prefix = "~"
    return prefix + hashlib.blake2b(data, digest_size=6).hexdigest()


def _cell(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 3] + "..."


def table(
    seq: int,
    recorded: dict[str, Any],
    name: str,
    site: Site | None,
    hashed: str | None,
) -> str:
    """The side-by-side view of journal entry ``seq`` and the call made now."""
    old = Site.from_wire(recorded.get("site"))
    rows = [
        ("seq", str(seq), str(seq)),
        ("call", str(recorded.get("name")), name),
        ("site", old.where() if old else "-", site.where() if site else "-"),
        ("args hash", str(recorded.get("args_hash") or "-"), hashed or "-"),
        ("source", old.source if old else "-", site.source if site else "-"),
    ]
    width = 48
    left = max(len("recorded"), *(len(_cell(r[1], width)) for r in rows))
    lines = [f"{'':<10}  {'recorded':<{left}}  now"]
    for label, a, b in rows:
        lines.append(f"{label:<10}  {_cell(a, width):<{left}}  {_cell(b, width)}")
    return "\n".join(lines)


def summary(seq: int, recorded: dict[str, Any], name: str, site: Site | None) -> str:
    """One line: ``diverges at seq N: recorded two (a.py:3), now other (a.py:3)``."""
    old = Site.from_wire(recorded.get("site"))
    was = f" ({old.file}:{old.line})" if old else ""
    now = f" ({site.file}:{site.line})" if site else ""
    return (
        f"diverges at seq {seq}: recorded {recorded.get('name')}{was}, now {name}{now}"
    )
