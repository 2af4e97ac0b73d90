"""Issue 11 items 3 and 9: one server per data home; killed servers' leftovers.

Two `ak up` on one data home used to run side by side (the second recovered
the first's running sessions: a durable session ran in two runners at once).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.security.conftest import make_server, private_runtime_dir

pytestmark = pytest.mark.faults


def test_second_server_on_one_data_home_exits_1(tmp_path: Path) -> None:
    first = make_server(tmp_path / "srv").start()
    try:
        assert first.proc is not None
        second = make_server(tmp_path / "srv")
        with pytest.raises(RuntimeError) as info:
            second.start()
        text = str(info.value)
        assert "exited 1" in text, text
        data_home = tmp_path / "srv" / "xdg_data_home" / "autokitteh"
        want = f"Error: another ak server (pid {first.proc.pid}) is using {data_home}"
        errors = [ln for ln in text.splitlines() if ln.startswith("Error: ")]
        assert errors == [want], text
        assert first.proc.poll() is None
    finally:
        first.stop()
    # The lock goes with its server: the next one starts.
    make_server(tmp_path / "srv").start().stop()


def test_lock_is_released_by_a_killed_server(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv").start()
    server.kill9()
    make_server(tmp_path / "srv").start().stop()


def test_sockets_of_killed_servers_are_removed(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv")
    rt = private_runtime_dir(server)
    dead = 4_000_000 + os.getpid() % 1000  # above any pid_max: never alive
    stale = [rt / f"s{dead}-1.sock", rt / f"s{dead}-17.sock", rt / f"z{dead}-1.sock"]
    live = rt / f"s{os.getpid()}-1.sock"  # this test process is alive
    for path in [*stale, live]:
        path.write_text("")
    server.start()
    try:
        left = sorted(p.name for p in rt.iterdir() if re.match(r"[sz]\d+-", p.name))
        assert left == [live.name]
    finally:
        server.stop()
        live.unlink()
