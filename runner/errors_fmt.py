"""Error texts of failed sessions: banners, ``error: <repr>``, filtered traceback."""

from __future__ import annotations

import contextlib
import os
import traceback
import types

_LINE = "=" * 103

PICKLE_BANNER = (
    f"\n{_LINE}\n"
    "The below error means you need to use the @autokitteh.activity decorator.\n"
    "See https://docs.autokitteh.com/develop/python/"
    "#function-arguments-and-return-values-must-be-pickleable\n"
    "for more details.\n"
    f"{_LINE}\n"
)

MODULE_BANNER = (
    f"\n{_LINE}\n"
    "The below error means you need to add a package to the Python environment.\n"
    "Web platform: Create a requirements.txt file and add module to the "
    "requirements.txt file.\n"
    "Self hosted: add module to AutoKitteh virtual environment. \n"
    "See https://docs.autokitteh.com/develop/python#installing-python-packages "
    "for more details.\n"
    f"{_LINE}\n"
)

# The session's address-space limit in MiB (set by process_env.apply_limits), named in
# the error text of a MemoryError.
memory_limit_mb: int | None = None

# The session's code directory (set by main.run_session): tracebacks name user
# files relative to it ("main.py", "reports/fmt.py"), as the project has them.
code_dir: str | None = None

# The runner's own source files (not the SDK): their frames are hidden.
_RUNNER_DIR = os.path.dirname(os.path.abspath(__file__))
_SDK_DIR = os.path.join(_RUNNER_DIR, "autokitteh")


def _is_runner_frame(filename: str) -> bool:
    if filename.startswith("<frozen "):  # importlib's machinery, not user code
        return True
    path = os.path.abspath(filename)
    return os.path.dirname(path) == _RUNNER_DIR and not path.startswith(_SDK_DIR)


def relative_paths(text: str) -> str:
    """``File "<code dir>/x.py"`` -> ``File "x.py"`` in a formatted traceback."""
    if not code_dir:
        return text
    return text.replace(f'File "{code_dir.rstrip(os.sep)}{os.sep}', 'File "')


def pad_exception_args(exc: BaseException) -> None:
    """Upstream's rebuildable exception args: append the ``__init__`` positional
    parameters missing from ``exc.args`` as ``getattr(exc, name, None)``.

    ``X(1, 2)`` whose ``__init__(self, a, b)`` calls ``super().__init__(a)`` and
    keeps no ``b`` becomes ``X(1, None)``, which unpickles. An exception class
    with its own ``__reduce__`` rebuilds itself and is left alone (e.g.
    ``autokitteh.ActivityTimeout``). Never raises.
    """
    cls = type(exc)
    if cls.__reduce__ is not BaseException.__reduce__:
        return
    code = getattr(cls.__init__, "__code__", None)
    if code is None:  # a built-in __init__
        return
    names = code.co_varnames[1 : code.co_argcount]
    try:
        args = tuple(exc.args)
        if len(args) < len(names):
            exc.args = args + tuple(getattr(exc, n, None) for n in names[len(args) :])
    except Exception:  # some exceptions refuse a new args (or getattr raises)
        pass


def _filter_tb(tb: types.TracebackType | None) -> types.TracebackType | None:
    frames: list[types.TracebackType] = []
    while tb is not None:
        if not _is_runner_frame(tb.tb_frame.f_code.co_filename):
            frames.append(tb)
        tb = tb.tb_next
    new: types.TracebackType | None = None
    for t in reversed(frames):
        new = types.TracebackType(new, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return new


def strip_runner_frames(exc: BaseException) -> None:
    """Remove runner-internal frames from ``exc`` and its causes (in place)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        e.__traceback__ = _filter_tb(e.__traceback__)
        todo.extend([e.__cause__, e.__context__])


def banners(message: str) -> str:
    """The guidance banners that apply to an error message (may be empty)."""
    out = ""
    if "No module named" in message:
        out += MODULE_BANNER + "\n"
    if "pickle" in message:
        out += PICKLE_BANNER + "\n"
    return out


def _relative_filename(exc: BaseException) -> None:
    # A SyntaxError names its file in its args (and so in its repr).
    if not (code_dir and isinstance(exc, SyntaxError) and exc.filename):
        return
    prefix = code_dir.rstrip(os.sep) + os.sep
    if str(exc.filename).startswith(prefix):
        exc.filename = str(exc.filename)[len(prefix) :]
        with contextlib.suppress(Exception):  # repr(exc) shows args
            exc.args = (exc.args[0], (exc.filename, *exc.args[1][1:]))


def format_error(exc: BaseException) -> str:
    """``<banners>error: <repr(exc)>\\n\\n<traceback>`` (runner and importlib
    frames removed, user files relative to the code directory)."""
    strip_runner_frames(exc)
    _relative_filename(exc)
    try:
        text = repr(exc)
    except Exception:
        text = f"<{type(exc).__name__}>"
    try:
        message = str(exc)
    except Exception:
        message = ""
    tb = relative_paths("".join(traceback.format_exception(exc)))
    hint = ""
    if isinstance(exc, MemoryError) and memory_limit_mb:
        hint = (
            f"The session ran out of memory: its limit is {memory_limit_mb} MiB"
            " (config pythonrt.max_memory_per_workflow_mb).\n\n"
        )
    return banners(message) + hint + f"error: {text}\n\n{tb}"
