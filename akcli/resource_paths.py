"""Which project file names are usable, checked the same way by `ak` and the server.

A name every session could trip over (empty, `.`, a NUL byte, `../x`, a file
that is also used as a directory, a component longer than a file system
allows) is refused when it is uploaded, with the reason, instead of failing
every session later.
"""

from __future__ import annotations

from collections.abc import Iterable

from akcli.errors import BadRequest

MAX_COMPONENT = 255  # bytes, as most file systems allow
MAX_PATH = 1024


def path_problem(path: str) -> str | None:
    """Why `path` cannot be a project file name, or None when it can."""
    if not path:
        return "empty name"
    if any(ord(c) < 0x20 or c == "\x7f" for c in path):
        return "control character in name"
    if len(path.encode("utf-8", "surrogateescape")) > MAX_PATH:
        return f"name longer than {MAX_PATH} bytes"
    if path.startswith("/"):
        return "absolute path"
    for part in path.split("/"):
        if part in ("", ".", ".."):
            return f'"{part}" path component' if part else "empty path component"
        if len(part.encode("utf-8", "surrogateescape")) > MAX_COMPONENT:
            return f"path component longer than {MAX_COMPONENT} bytes"
    return None


def check_paths(paths: Iterable[str], what: str = "resource") -> None:
    """Raise BadRequest (rc 40) for the first unusable name, or a file/dir clash."""
    names = sorted(paths)
    for p in names:
        why = path_problem(p)
        if why is not None:
            raise BadRequest(f"invalid {what} path {p!r}: {why}")
    files = set(names)
    for p in names:
        parts = p.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            if parent in files:
                raise BadRequest(
                    f"invalid {what} path {p!r}: {parent!r} is a file, not a directory"
                )
