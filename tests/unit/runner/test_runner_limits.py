"""runner.process_env.apply_limits (spawn ``limits``) and the MemoryError hint."""

from __future__ import annotations

import os
import resource

import pytest

from runner import errors_fmt, process_env


def _in_child(limits: object) -> tuple[int, int | None]:
    """Apply limits in a forked child; return (soft RLIMIT_AS in MiB or -1, hint)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            process_env.apply_limits(limits)  # type: ignore[arg-type]
            soft = resource.getrlimit(resource.RLIMIT_AS)[0]
            mb = -1 if soft == resource.RLIM_INFINITY else soft // (1024 * 1024)
            os.write(w, f"{mb} {errors_fmt.memory_limit_mb}".encode())
        finally:
            os._exit(0)
    os.close(w)
    data = os.read(r, 100).decode().split()
    os.close(r)
    os.waitpid(pid, 0)
    return int(data[0]), None if data[1] == "None" else int(data[1])


@pytest.mark.skipif(
    resource.getrlimit(resource.RLIMIT_AS)[1] != resource.RLIM_INFINITY,
    reason="needs an unlimited hard RLIMIT_AS",
)
def test_apply_limits_sets_rlimit_as() -> None:
    assert _in_child({"max_memory_mb": 300}) == (300, 300)


@pytest.mark.parametrize(
    "limits",
    [
        None,
        {},
        {"max_memory_mb": None},
        {"max_memory_mb": 0},
        {"max_memory_mb": "12"},
        {"max_memory_mb": True},
    ],
)
def test_apply_limits_ignores_missing_or_bad_values(limits: object) -> None:
    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    want = -1 if soft == resource.RLIM_INFINITY else soft // (1024 * 1024)
    assert _in_child(limits) == (want, None)


def test_memory_error_text_names_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors_fmt, "memory_limit_mb", 256)
    try:
        raise MemoryError
    except MemoryError as e:
        text = errors_fmt.format_error(e)
    assert text.startswith(
        "The session ran out of memory: its limit is 256 MiB"
        " (config pythonrt.max_memory_per_workflow_mb).\n\nerror: MemoryError()\n\n"
    )
    monkeypatch.setattr(errors_fmt, "memory_limit_mb", None)
    try:
        raise MemoryError
    except MemoryError as e:
        assert errors_fmt.format_error(e).startswith("error: MemoryError()")
