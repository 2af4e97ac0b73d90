"""Runner behaviour users see, as upstream's (sdk-parity.md): real runner processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.runner.helpers import run_files

LOAD = "rpc error: code = InvalidArgument desc = "


@pytest.mark.parametrize("durable", [False, True])
def test_import_error_is_a_print_and_the_error(tmp_path: Path, durable: bool) -> None:
    files = {"main.py": "import no_such_pkg_xyz\n\ndef main(event):\n    pass\n"}
    outcome, host = run_files(tmp_path, files, durable=durable)
    assert outcome.state == "error"
    head, _, rest = outcome.error.partition("\n")
    assert head.startswith(f"{LOAD}can't load main from ")
    assert head.endswith(" - ")
    assert rest.startswith(
        "=" * 103 + "\nThe below error means you need to add a package"
    )
    assert "error: ModuleNotFoundError(\"No module named 'no_such_pkg_xyz'\")" in rest
    assert 'File "main.py", line 1, in <module>' in rest
    assert "<frozen" not in rest and str(tmp_path) not in rest
    assert host.texts == [outcome.error.rstrip("\n")]


def test_syntax_error_in_a_subpackage_names_relative_paths(tmp_path: Path) -> None:
    files = {
        "main.py": "from reports import fmt\n\ndef main(event):\n    pass\n",
        "reports/__init__.py": "",
        "reports/fmt.py": "def f(:\n    pass\n",
    }
    outcome, host = run_files(tmp_path, files)
    assert outcome.state == "error"
    assert outcome.error.startswith(f"{LOAD}can't load main from ")
    assert 'File "reports/fmt.py", line 1' in outcome.error
    assert 'File "main.py", line 1, in <module>' in outcome.error
    assert "<frozen" not in outcome.error
    assert host.texts == [outcome.error.rstrip("\n")]


def test_runtime_traceback_relative_paths(tmp_path: Path) -> None:
    files = {
        "main.py": "from reports import fmt\n\ndef main(event):\n    fmt.boom()\n",
        "reports/__init__.py": "",
        "reports/fmt.py": "def boom():\n    raise KeyError('k')\n",
    }
    outcome, _ = run_files(tmp_path, files)
    assert 'File "main.py", line 4, in main' in outcome.error
    assert 'File "reports/fmt.py", line 2, in boom' in outcome.error
    assert str(tmp_path) not in outcome.error


def test_missing_handler(tmp_path: Path) -> None:
    outcome, host = run_files(tmp_path, {"main.py": "x = 1\n"}, "main.py:nope")
    assert outcome.state == "error"
    assert outcome.error == f"{LOAD}function 'nope' not found"
    assert host.texts == [outcome.error]


PAD = """
import autokitteh

class X(Exception):
    def __init__(self, a, b):
        self._a, self._b = a, b
        super().__init__(a)

@autokitteh.activity
def fail():
    raise X(1, 2)

def main(event):
    fail()
"""


@pytest.mark.parametrize("durable", [False, True])
def test_exception_args_padded(tmp_path: Path, durable: bool) -> None:
    outcome, _ = run_files(tmp_path, {"main.py": PAD}, durable=durable)
    assert outcome.state == "error"
    assert outcome.error.startswith("error: X(1, None)\n")
    assert outcome.error.rstrip().endswith("main.X: (1, None)")


UNPICKLABLE = """
import threading
import autokitteh

@autokitteh.activity
def make():
    return threading.Lock()

def main(event):
    make()
"""


def test_unpicklable_activity_result_prints_two_lines(tmp_path: Path) -> None:
    outcome, host = run_files(tmp_path, {"main.py": UNPICKLABLE}, durable=True)
    assert outcome.state == "error"
    err = "TypeError(\"cannot pickle '_thread.lock' object\")"
    assert host.texts[0] == f"error: error processing result - {err}"
    second = host.texts[1]
    assert "The below error means you need to use the @autokitteh.activity" in second
    assert f"error: {err}\n" in second
    assert "that cannot be pickled" in outcome.error


IN_ACTIVITY = """
import autokitteh

@autokitteh.activity
def sub():
    try:
        autokitteh.subscribe("meow")
    except autokitteh.AutoKittehError as e:
        print("subscribe:", e)
    try:
        autokitteh.next_event("s", timeout=-1)
    except autokitteh.AutoKittehError as e:
        print("next_event:", e)
    try:
        autokitteh.next_signal("s")
    except autokitteh.AutoKittehError as e:
        print("next_signal:", e)

def main(event):
    sub()
    try:
        autokitteh.next_event("s", timeout=-1)
    except autokitteh.AutoKittehError as e:
        print("workflow:", e)
"""


def test_sdk_calls_inside_an_activity(tmp_path: Path) -> None:
    outcome, host = run_files(tmp_path, {"main.py": IN_ACTIVITY}, durable=True)
    assert outcome.state == "completed", outcome.error
    assert host.texts == [
        'subscribe: next_event inside activity: subscribe: source "meow" not found',
        "next_event: next_event inside activity: next_event: timeout < 0",
        "next_signal: next_signal: this operation is not allowed in an activity",
        "workflow: next_event: timeout < 0",
    ]


STREAMS = """
import logging
import sys

log = logging.getLogger("app")

def main(event):
    sys.stdout.write("out 1\\nout ")
    sys.stdout.write("2\\n")
    sys.stderr.write("err line\\n")
    log.warning("careful %d", 3)
    logging.basicConfig(format="%(levelname)s:%(name)s:%(message)s", level="INFO")
    log.info("configured")
    print("printed", file=sys.stderr)
    sys.stdout.write("partial")
"""


@pytest.mark.parametrize("durable", [False, True])
def test_stdout_stderr_and_logging_are_prints(tmp_path: Path, durable: bool) -> None:
    outcome, host = run_files(tmp_path, {"main.py": STREAMS}, durable=durable)
    assert outcome.state == "completed", outcome.error
    assert host.texts == [
        "out 1",
        "out 2",
        "err line",
        "careful 3",
        "INFO:app:configured",
        "printed",
        "partial",
    ]


TIMED = """
import time
import autokitteh

@autokitteh.activity
def act(pause):
    print(repr(time.time()))
    time.sleep(pause)

def main(event):
    before = time.time()  # an activity itself: seq 1
    act(0)
    act(0.2)  # slow: its activity_start goes out after FLUSH_AFTER
    print(repr(before))
"""


def test_activity_start_time_is_when_it_started(tmp_path: Path) -> None:
    outcome, host = run_files(tmp_path, {"main.py": TIMED}, durable=True)
    assert outcome.state == "completed", outcome.error
    inside = [float(t) for t in host.texts[:2]]
    before = float(host.texts[2])
    times = dict(host.start_times)
    assert sorted(times) == [1, 2, 3]
    for seq in (2, 3):
        t = times[seq]
        assert t is not None and before <= t <= inside[seq - 2]


def test_captured_stream_keeps_the_stream_api(tmp_path: Path) -> None:
    code = """
import sys

def main(event):
    out = sys.stdout
    print(out.closed, out.writable(), out.isatty(), out.encoding == sys.__stdout__.encoding)
    out.buffer.write(b"bytes: not captured\\n")
    out.flush()
    print(out.fileno() == sys.__stdout__.fileno(), file=sys.stderr)
"""
    outcome, host = run_files(tmp_path, {"main.py": code})
    assert outcome.state == "completed", outcome.error
    assert host.texts == ["False True False True", "True"]
