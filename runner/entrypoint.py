"""The one grammar of an entry point: a manifest's ``call``, a session's
``entrypoint``, a session test's first file, ``autokitteh.start(loc=...)``.

    file.py:func    file.py func    file.py:row.col,func    file.py

A colon wins over whitespace as the separator (``my dir/a.py:f`` is a path with
a space); ``row.col`` is upstream's code position and is dropped. Callers that
run code pass ``need_name`` (and ``need_py`` where a module name is made).
Every error is a ValueError with one of the texts below; callers keep their own
error class and may prefix where the text came from.

Standard library only: the runner imports it inside the user's venv, and akcli
imports it from here (``runner`` is installed as a package beside ``akcli``).
"""

from __future__ import annotations

import re

__all__ = ["parse_entrypoint"]

_POSITION = re.compile(r"\d+(\.\d+)?")
_NAME = re.compile(r"[A-Za-z_][\w.]*")


def parse_entrypoint(
    text: str, *, need_name: bool = False, need_py: bool = False
) -> tuple[str, str]:
    """``(path, function name)``; the name is ``""`` for a bare ``file.py``
    unless ``need_name``. ``need_py``: the path must be a ``.py`` file."""
    s = text.strip()
    if not s:
        raise ValueError("invalid entrypoint: empty entrypoint")
    if ":" in s:
        path, _, name = s.partition(":")
    elif " " in s or "\t" in s:
        path, name = s.split(None, 1)
    else:
        path, name = s, ""
    path, name = path.strip(), name.strip()
    if "," in name:  # file:row.col,func
        pos, _, name = name.partition(",")
        if not _POSITION.fullmatch(pos.strip()):
            raise _error(text, f"invalid position {pos.strip()!r}")
        name = name.strip()
    if not path:
        raise _error(text, "missing file path")
    if need_py and not path.endswith(".py"):
        raise _error(text, f"{path!r} is not a .py file")
    if name and not _NAME.fullmatch(name):
        raise _error(text, f"invalid function name {name!r}")
    if need_name and not name:
        raise _error(text, "missing function name")
    return path, name


def _error(text: str, problem: str) -> ValueError:
    return ValueError(f'invalid entrypoint: "{text}": {problem}')
