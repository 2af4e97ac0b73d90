"""`ak --help` and `ak version` without importing typer (the CLI start-up budget:
<= 2.5x `python -c pass`; typer alone costs more than that here).

`ak version` prints the version. `ak --help` / `ak -h` print the root help as
typer rendered it last time, cached in the cache home under a key made of the
ak version, the terminal width and the size and mtime of every akcli module
and of typer's package: any change to a command or its help renders it anew
through typer. Anything else (or any trouble) takes the normal path.
"""

from __future__ import annotations

import os
import sys

VERSION_ARGS = (["version"], ["ver"], ["v"])
HELP_ARGS = (["--help"], ["-h"])


def _key() -> str:
    import zlib

    import akcli

    parts = [akcli.__version__, str(_width())]
    pkg = os.path.dirname(akcli.__file__)
    for d in (pkg, os.path.join(pkg, "commands")):
        for e in sorted(os.scandir(d), key=lambda e: e.name):
            if e.name.endswith(".py"):
                st = e.stat()
                parts.append(f"{e.name}:{st.st_size}:{st.st_mtime_ns}")
    for entry in sys.path:  # typer's own version, without importing it
        init = os.path.join(entry, "typer", "__init__.py")
        if os.path.exists(init):
            st = os.stat(init)
            parts.append(f"typer:{init}:{st.st_size}:{st.st_mtime_ns}")
            break
    return f"{zlib.crc32(chr(0).join(parts).encode()):08x}"


def _width() -> int:
    try:
        cols = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
    except (ValueError, OSError):
        cols = 80
    return min(cols, 80)


def _cache_file() -> str:
    from akcli.paths import Paths

    return str(Paths.from_env().cache_home / "cli" / f"help-{_key()}.txt")


def _render_help(argv: list[str]) -> str:
    """The root help through typer (the normal path), captured."""
    import contextlib
    import io

    from akcli.main import app

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):
        app(args=argv)
    return buf.getvalue()


def fast(argv: list[str]) -> bool:
    """Handle argv here if it is one of the fast commands; True if handled."""
    if "_AK_COMPLETE" in os.environ or os.environ.get("AK_NO_FASTPATH"):
        return False
    if argv in VERSION_ARGS:
        from akcli import __version__

        sys.stdout.write(__version__ + "\n")
        return True
    if argv not in HELP_ARGS:
        return False
    try:
        path = _cache_file()
        try:
            with open(path) as f:
                text = f.read()
        except FileNotFoundError:
            text = _render_help(argv)
            if not text.startswith("Usage:"):
                return False
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            tmp = f"{path}.{os.getpid()}"
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, path)
    except OSError:
        return False
    sys.stdout.write(text)
    return True


def main() -> None:
    if fast(sys.argv[1:]):
        sys.stdout.flush()
        return
    from akcli.main import main as full

    full()
