"""An activity that never finishes (result cannot be pickled) keeps its call spec
in the session log, however fast it ran (the spec normally joins the journal
entry's commit, and there is no journal entry here)."""

from __future__ import annotations

from pathlib import Path

from akcli.server.state import Server
from tests.engine.conftest import (
    deploy,
    log_records,
    run_with_engine,
    start,
    wait_final,
)

CODE = """\
import threading


def main(event):
    threading.Lock()
"""


def test_unpicklable_result_keeps_call_spec(
    tmp_path: Path, worker_python: None
) -> None:
    async def body(srv: Server) -> None:
        ids = deploy(srv, {"main.py": CODE})
        for _ in range(3):  # fast every time: the flush timer never fires first
            sid = start(srv, ids, "main.py:main", durable=True)
            row = await wait_final(srv, sid)
            assert row["state"] == "error"
            assert "allocate_lock" in row["error"]
            records = log_records(srv, sid)
            specs = [
                r["call_spec"]["function"]["name"] for r in records if "call_spec" in r
            ]
            assert specs == ["allocate_lock"]
            assert "error" in records[-1]["state"]

    run_with_engine(tmp_path, body)
