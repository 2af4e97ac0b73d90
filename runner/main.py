"""Session entry point: connect, receive ``run``, load and run the handler, ``done``.

Used by the zygote's forked children (:func:`run_session`) and as a cold start
for debugging: ``python -m runner.main --socket <path> --code-dir <dir>`` (run it
from a directory whose ``runner`` and ``autokitteh`` entries are this package
and its SDK, i.e. the pool's stage directory).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import inspect
import json
import os
import pickle
import socket
import sys
import types
from typing import Any

import autokitteh
from autokitteh import _runtime
from autokitteh._values import to_json

from runner import (
    call,
    divergence,
    errors_fmt,
    interrupt,
    isolate,
    loader,
    printing,
    process_env,
    protocol,
    reaper,
    retrying,
    warmup,
)
from runner.entrypoint import parse_entrypoint
from runner.journal_file import JournalWriter
from runner.syscalls import Channel, NonDeterminismError, Session, Stopped


def fix_sys_path(code_dir: str, stage_dir: str) -> None:
    """sys.path = [code_dir, stage_dir, <the interpreter's own paths>]."""
    drop = {"", ".", os.getcwd(), code_dir, stage_dir}
    rest = [p for p in sys.path if p not in drop and os.path.abspath(p) != stage_dir]
    sys.path[:] = [code_dir, stage_dir, *rest]


def module_entrypoint(entrypoint: str) -> tuple[str, str]:
    """``"file.py:func"`` (runner/entrypoint.py) -> ``(module name, func)``."""
    file, func = parse_entrypoint(entrypoint, need_name=True, need_py=True)
    return file[: -len(".py")].replace(os.sep, "."), func


def display_value(value: Any) -> Any:
    """A JSON-safe display form of a return value (never raises)."""
    try:
        return to_json(value, strict=False)
    except Exception:
        return repr(value)


def _pickle_value(value: Any) -> str | None:
    try:
        return base64.b64encode(pickle.dumps(value)).decode()
    except Exception:
        return None


def _unpicklable_return(func_name: str, value: Any) -> str:
    try:
        pickle.dumps(value)
        problem = "cannot be pickled"
    except Exception as e:
        problem = f"cannot be pickled: {e!r}"
    return (
        f"handler {func_name!r} returned a value of type "
        f"{type(value).__qualname__!r} that {problem}"
    )


def breakpoint_hint() -> None:
    """``sys.breakpointhook`` of a session: a one-line hint (stdin is not a
    terminal, so pdb would end the session with ``BdbQuit``)."""
    frame = sys._getframe(1)
    at = f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"
    print(
        f"breakpoint() at {at} ignored: debug this session with"
        " `ak session replay <session_id> --pdb`"
    )


def _accepts_session_id(fn: Any) -> bool:
    code = getattr(fn, "__code__", None)
    plain = type(fn) is types.FunctionType and not hasattr(fn, "__wrapped__")
    if plain and code is not None:  # the usual case, without inspect.signature
        names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        return "session_id" in names
    return "session_id" in inspect.signature(fn).parameters


def _call_handler(session: Session, fn: Any, event: autokitteh.Event, sid: str) -> Any:
    kwargs: dict[str, Any] = {}
    try:
        mark = getattr(fn, "__ak_activity__", None)
        if _accepts_session_id(fn):
            kwargs["session_id"] = sid
    except (TypeError, ValueError):
        mark = None
    if session.durable and mark is True:
        result = call._ak_call(fn, event, **kwargs)
    else:
        result = fn(event, **kwargs)
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    return result


def execute(session: Session, run: dict[str, Any]) -> dict[str, Any]:
    """Load the user module and run the handler; returns the ``done`` payload."""
    done: dict[str, Any] = {
        "state": protocol.COMPLETED,
        "value": None,
        "value_pickle": None,
        "error": "",
        "reason": "",
    }
    session.durable = bool(run.get("durable"))
    session.check = bool(run.get("check"))
    session.journal = {int(e["seq"]): e for e in run.get("journal") or []}
    sid = str(run.get("session_id") or "")
    try:
        module_name, func_name = module_entrypoint(str(run.get("entrypoint", "")))
        event = autokitteh.Event.from_wire(run.get("event"))
        fn = _load_handler(session, module_name, func_name)
        if isinstance(fn, str):  # a load-time error, already printed
            done["state"] = protocol.ERROR
            done["error"] = fn
            return done
        value = _call_handler(session, fn, event, sid)
        done["value"] = display_value(value)
        done["value_pickle"] = _pickle_value(value)
        if session.durable and done["value_pickle"] is None:
            # Durable return values must pickle (runtime.md), as activity results.
            done["state"] = protocol.ERROR
            done["error"] = _unpicklable_return(func_name, value)
    except Stopped as e:
        done["state"] = protocol.STOPPED
        done["reason"] = e.reason
    except SystemExit as e:
        if e.code not in (None, 0):
            done["state"] = protocol.ERROR
            done["error"] = errors_fmt.format_error(e)
    except NonDeterminismError as e:  # the recorded-vs-now table first
        done["state"] = protocol.ERROR
        done["error"] = f"{e.table}\n\n{errors_fmt.format_error(e)}"
        done["reason"] = divergence.summary(e.seq, e.recorded, e.name, e.site)
    except BaseException as e:  # SessionFailure, user errors, KeyboardInterrupt
        done["state"] = protocol.ERROR
        errors_fmt.pad_exception_args(e)  # as upstream: X(1, None)
        done["error"] = errors_fmt.format_error(e)
    if session.check:
        _check_verdict(session, done)
    return done


def _check_verdict(session: Session, done: dict[str, Any]) -> None:
    """A check run's ``reason``: ``compatible: ...`` or ``diverges at seq N: ...``."""
    last = max(session.journal, default=0)
    at = session.current_seq() + 1
    if done["state"] == protocol.STOPPED:
        return  # CheckEnd: "replayed N journal entries; ..."
    if done["state"] == protocol.COMPLETED:
        if at <= last:
            done["state"] = protocol.ERROR
            done["reason"] = (
                f"diverges at seq {at}: the handler returned; the journal has"
                f" {last - at + 1} more entries"
            )
        else:
            done["state"] = protocol.STOPPED
            done["reason"] = f"replayed {last} journal entries; the handler returned"
        return
    if not done["reason"]:
        lines = [
            ln for ln in str(done["error"]).splitlines() if ln.startswith("error: ")
        ]
        why = lines[0].removeprefix("error: ") if lines else "the handler failed"
        done["reason"] = f"diverges at seq {at}: {why}"


LOAD_ERROR = "rpc error: code = InvalidArgument desc = "


def _load_handler(session: Session, module_name: str, func_name: str) -> Any:
    """The handler function, or the text of a load-time error (upstream's:
    ``can't load <module> from <dir> - <banners>error: ...`` or ``function
    '<name>' not found``), which is also printed to the session."""
    session.loading += 1
    try:
        module = __import__(module_name)
        for part in module_name.split(".")[1:]:
            module = getattr(module, part)
    except Exception as e:  # ImportError, SyntaxError, errors of module code
        text = errors_fmt.format_error(e)
        where = f"{module_name} from {session.code_dir}"
        return _load_error(session, f"can't load {where} - {text}")
    finally:
        session.loading -= 1
    fn = getattr(module, func_name, None)
    if fn is None or not callable(fn):
        return _load_error(session, f"function {func_name!r} not found")
    return fn


def _load_error(session: Session, text: str) -> str:
    text = LOAD_ERROR + text
    printing.send(session, text.rstrip("\n"))
    return text


def _connect(
    socket_path: str,
    code_dir: str,
    hide: dict[str, Any] | None,
    journal_path: str | None,
) -> tuple[Channel, JournalWriter | None]:
    """Enter ``code_dir``, connect to the server and open the journal file,
    then hide what user code must not see (the socket and the journal dir may
    vanish from view once they are open)."""
    os.chdir(code_dir)
    reaper.become_subreaper()  # the session's processes stay ours to end
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(socket_path)
    except OSError as e:
        sys.stderr.write(f"error: cannot connect to {socket_path}: {e}\n")
        os._exit(2)
    journal = JournalWriter.open(journal_path) if journal_path else None
    why = isolate.apply(hide) if hide else ""
    if why:
        sys.stderr.write(f"runner: {why}\n")
    return Channel(sock), journal


def run_session(
    socket_path: str,
    code_dir: str,
    code_cache: str | None = None,
    hide: dict[str, Any] | None = None,
    journal_path: str | None = None,
) -> None:
    """Run one session over ``socket_path``; never returns (exits the process).

    ``code_cache``: the directory where compiled user modules are kept (or None).
    ``hide``: what to hide from user code (``spawn.isolate``, runner/isolate.py).
    ``journal_path``: the run's journal file (``spawn.journal``,
    runner/journal_file.py), opened before ``hide`` makes it invisible.
    """
    code_dir = os.path.realpath(code_dir)
    session = _session(_connect(socket_path, code_dir, hide, journal_path), code_dir)
    session.chan.send(protocol.HELLO, {"pid": os.getpid()})
    _serve(session, code_cache)


def run_preforked(
    socket_path: str,
    code_dir: str,
    hide: dict[str, Any] | None,
    journal_path: str | None = None,
) -> None:
    """A pre-forked idle runner (protocol: *Pre-forked runners*): connect to the
    pool's socket, open its journal file, isolate, say ``hello {pid, idle}``
    and wait for ``assign``; then run that session as :func:`run_session`
    does. Never returns.

    Nothing of the session (its environment, limits, user module) is here
    before ``assign``: the user module is imported after it, once per session.
    ``journal_path``: the idle journal file the server made for this runner;
    the server renames it to the session's when it assigns a durable one
    (``assign.journal``), which keeps this process's descriptor valid.
    """
    code_dir = os.path.realpath(code_dir)
    session = _session(_connect(socket_path, code_dir, hide, journal_path), code_dir)
    name = process_env.set_name(process_env.IDLE_NAME)
    session.chan.send(protocol.HELLO, {"pid": os.getpid(), "idle": True})
    warmup.warm(code_dir)  # while no session waits for it
    assign = session.wait_assign()  # EOF (the server closed it): exits
    process_env.set_name(name)
    if not assign.get("journal") and session.journal_file is not None:
        session.journal_file.close()  # not a durable run: the server acks
        session.journal_file = None
    # Taken, before anything of the session ran: the server retries a session
    # on a fresh runner only if this never arrives.
    session.chan.send(protocol.HELLO, {"pid": os.getpid()})
    process_env.set_environ(
        {str(k): str(v) for k, v in (assign.get("env") or {}).items()}
    )
    process_env.apply_limits(assign.get("limits"))
    cache = assign.get("code_cache")
    _serve(session, str(cache) if cache else None)


def _session(conn: tuple[Channel, JournalWriter | None], code_dir: str) -> Session:
    """This process's session object, installed as the SDK's runtime."""
    session = Session(conn[0])
    session.journal_file = conn[1]
    session.code_dir = code_dir
    errors_fmt.code_dir = code_dir
    divergence.set_code_dir(code_dir)
    _runtime.install(session)
    call.set_session(session)
    printing.install(session)
    return session


def _serve(session: Session, code_cache: str | None) -> None:
    """Take ``run``, run the handler, send ``done``, exit (``hello`` was said)."""
    session.start_threads()
    retrying.install()  # after the session's environment: project defaults
    run = session.wait_run()
    chaos = run.get("chaos")
    if isinstance(chaos, dict):  # fault injection (akcli/engine/chaos.py)
        session.chaos_seq = int(chaos.get("seq") or 0)
        session.chaos_at = str(chaos.get("at") or "")
    code_dir = session.code_dir

    def on_exec(entering: bool) -> None:
        session.loading += 1 if entering else -1

    session.durable = bool(run.get("durable"))
    if not session.durable:
        interrupt.install(session, within=_call_handler.__code__)
    loader.install(
        code_dir,
        durable=session.durable,
        ak_call=call._ak_call,
        ak_acall=call._ak_acall,
        on_exec=on_exec,
        code_cache=code_cache,
    )
    sys.breakpointhook = breakpoint_hint
    owner = os.getpid()
    done = execute(session, run)
    if os.getpid() != owner:
        # A process forked by the handler left it (sys.exit, an exception or a
        # return): it is not the session and must not report on its socket.
        _exit_forked_child(done)
    reaper.end_children()  # daemons included: nothing outlives its session
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    session.finished.set()
    session.chan.send(protocol.DONE, done)
    with contextlib.suppress(OSError):
        session.chan.sock.shutdown(socket.SHUT_WR)
    os._exit(0)


def _exit_forked_child(done: dict[str, Any]) -> None:
    try:  # the original streams: this process must not send prints
        printing.raw(sys.stdout).flush()
        printing.raw(sys.stderr).flush()
    except Exception:
        pass
    os._exit(0 if done["state"] == protocol.COMPLETED else 1)


def cli(argv: list[str] | None = None) -> None:
    """The cold path: ``python -m runner.main --socket PATH --code-dir DIR``.

    ``--max-memory-mb N`` applies the same limit as ``spawn.limits``;
    ``--code-cache DIR`` is ``spawn.code_cache``.
    """
    parser = argparse.ArgumentParser(prog="runner.main")
    parser.add_argument("--socket", required=True)
    parser.add_argument("--code-dir", required=True)
    parser.add_argument("--max-memory-mb", type=int, default=None)
    parser.add_argument("--code-cache", default=None)
    parser.add_argument("--isolate", default=None, help="JSON: spawn.isolate")
    parser.add_argument("--journal", default=None, help="spawn.journal")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.code_dir):
        parser.exit(2, f"error: --code-dir {args.code_dir!r} is not a directory\n")
    # The directory holding the ``runner`` and ``autokitteh`` entries.
    stage = os.path.dirname(os.path.dirname(os.path.abspath(call.__file__)))
    fix_sys_path(os.path.realpath(args.code_dir), stage)
    process_env.apply_limits({"max_memory_mb": args.max_memory_mb})
    hide = json.loads(args.isolate) if args.isolate else None
    run_session(args.socket, args.code_dir, args.code_cache, hide, args.journal)


if __name__ == "__main__":
    from runner import main as _main

    _main.cli()
