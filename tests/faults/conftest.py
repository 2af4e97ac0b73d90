"""Shared helpers of the fault-injection suite (`python -m pytest -m faults`).

Every test here checks invariants, never timings. `AK_FAULT_ITERATIONS` scales
the loops (default small so the full suite stays fast; 20 for acceptance).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Result, run_ak
from tests.server import AkServer

ITERATIONS = max(1, int(os.environ.get("AK_FAULT_ITERATIONS", "3")))
FINAL = ("completed", "error", "stopped")


class Env:
    """A dev-mode `ak up` with helpers to deploy, poke and inspect it."""

    def __init__(self, server: AkServer, tmp: Path) -> None:
        self.server, self.tmp = server, tmp

    # -- CLI -------------------------------------------------------------

    def ak(self, *args: str, cwd: Path | None = None, timeout: float = 60) -> Result:
        return run_ak(*args, env=self.server.env, cwd=cwd, timeout=timeout)

    def ok(self, *args: str, cwd: Path | None = None) -> str:
        r = self.ak(*args, cwd=cwd)
        assert r.exit_code == 0, r.stdout + r.stderr
        return r.stdout

    def deploy(self, name: str, files: dict[str, str]) -> Path:
        work = self.tmp / "projects" / name
        work.mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            (work / path).write_text(text)
        r = self.ak("deploy", cwd=work)
        assert r.exit_code == 0, r.stdout + r.stderr
        return work

    def slug(self, project: str, trigger: str) -> str:
        out = self.ok("trigger", "get", trigger, "-p", project, "-j")
        return str(json.loads(out)["trigger"]["webhook_slug"])

    def start(self, project: str, entry: str, *extra: str) -> str:
        out = self.ok("session", "start", "-o", project, "-p", entry, *extra)
        m = re.search(r"ses_\w+", out)
        assert m, out
        return m.group(0)

    # -- HTTP ------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> tuple[int, dict[str, str], bytes]:
        return raw_request(self.server.url, method, path, body, headers, timeout)

    def healthy(self) -> bool:
        try:
            return self.request("GET", "/healthz", timeout=10)[0] == 200
        except OSError:
            return False

    # -- store -----------------------------------------------------------

    def db(self) -> sqlite3.Connection:
        return connect(self.server.db_file)

    def session(self, sid: str) -> sqlite3.Row:
        with self.db() as db:
            row: sqlite3.Row | None = db.execute(
                "SELECT * FROM sessions WHERE session_id = ?", (sid,)
            ).fetchone()
        assert row is not None, sid
        return row

    def wait_final(self, sid: str, timeout: float = 60) -> sqlite3.Row:
        deadline = time.monotonic() + timeout
        while True:
            row = self.session(sid)
            if row["state"] in FINAL:
                return row
            assert time.monotonic() < deadline, f"{sid} still {row['state']}"
            time.sleep(0.1)

    def wait_print(self, sid: str, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with self.db() as db:
                rows = db.execute(
                    "SELECT text FROM session_prints WHERE session_id = ?", (sid,)
                ).fetchall()
            if any(text in r[0] for r in rows):
                return
            state = self.session(sid)["state"]
            assert state not in FINAL, f"{sid} ended {state} before printing {text!r}"
            assert time.monotonic() < deadline, f"{sid} did not print {text!r}"
            time.sleep(0.05)


def raw_request(
    url: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, str], bytes]:
    """One request with http.client: no quoting, no redirects, no retries."""
    host = url.split("//", 1)[1]
    conn = http.client.HTTPConnection(host, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return (
            resp.status,
            {k.lower(): v for k, v in resp.getheaders()},
            resp.read(),
        )
    finally:
        conn.close()


def connect(db_file: Path) -> sqlite3.Connection:
    db = sqlite3.connect(db_file, timeout=30)
    db.row_factory = sqlite3.Row
    return db


def assert_store_sound(db_file: Path) -> None:
    """Nothing half-written: integrity ok, no session left created/running."""
    with connect(db_file) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stuck = db.execute(
            "SELECT session_id, state FROM sessions"
            " WHERE state NOT IN ('completed', 'error', 'stopped')"
        ).fetchall()
        assert not [tuple(r) for r in stuck], "sessions not in a final state"
        bad = db.execute(
            "SELECT session_id, state FROM sessions WHERE state != 'completed'"
            " AND COALESCE(error, '') = '' AND COALESCE(stop_reason, '') = ''"
        ).fetchall()
        assert not [tuple(r) for r in bad], "failed sessions without a reason"


def make_server(home: Path, *config: str) -> AkServer:
    extra: list[str] = []
    for c in config:
        extra += ["-C", c]
    return AkServer(
        home, mode="dev", extra=extra, env={"AK_WORKER_PYTHON": sys.executable}
    )


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    server = make_server(tmp_path / "srv").start()
    try:
        yield Env(server, tmp_path)
    finally:
        server.stop()
