"""Limits of issue 11 item 9: slow/idle clients cannot hold the HTTP server,
and a session's prints are capped and paged.

On main before the fixes: 300 connections sending half a request head stayed
open indefinitely, there was no connection cap, and every print was stored
and returned in one response.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.conftest import Env, make_server
from tests.faults.rpc_raw import post

pytestmark = pytest.mark.faults


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Env]:
    server = make_server(
        tmp_path / "srv",
        "http.read_header_timeout=1s",
        "http.max_connections=350",
        "sessions.max_prints_size=20000",
    ).start()
    try:
        yield Env(server, tmp_path)
    finally:
        server.stop()


def _slow_clients(env: Env, n: int) -> list[socket.socket]:
    host, port = env.server.url.removeprefix("http://").rsplit(":", 1)
    socks = []
    for _ in range(n):
        s = socket.create_connection((host, int(port)), timeout=10)
        s.sendall(b"POST /webhooks/x HTTP/1.1\r\nHost: x\r\n")  # head never ends
        socks.append(s)
    return socks


def _closed_by_server(s: socket.socket) -> bool:
    s.settimeout(10)
    try:
        return s.recv(100) == b""
    except ConnectionResetError:
        return True
    except OSError:  # still open after 10 s
        return False


def test_slowloris_connections_are_dropped(limited: Env) -> None:
    socks = _slow_clients(limited, 300)
    try:
        assert limited.healthy()  # served while 300 heads hang
        # each half-sent head is closed by the server after its head timeout
        assert all(_closed_by_server(s) for s in socks)
    finally:
        for s in socks:
            s.close()
    assert limited.healthy()


def test_connection_cap_answers_503_then_recovers(limited: Env) -> None:
    socks = _slow_clients(limited, 350)
    try:
        status, _, body = limited.request("GET", "/healthz", timeout=10)
        assert (status, body) == (503, b"too many connections")
    finally:
        for s in socks:
            s.close()
    deadline = time.monotonic() + 30
    while not limited.healthy():
        assert time.monotonic() < deadline
        time.sleep(0.2)


PRINTER = """
def main(event):
    for i in range(3000):
        print(f"line {i:05d}")
"""


def test_prints_are_capped_with_a_marker_and_paged(limited: Env) -> None:
    limited.deploy(
        "printer",
        {
            "autokitteh.yaml": "version: v2\nproject:\n  name: printer\n",
            "program.py": PRINTER,
        },
    )
    sid = limited.start("printer", "program.py:main")
    row = limited.wait_final(sid)
    assert row["state"] == "completed", row["error"]
    with limited.db() as db:
        stored = db.execute(
            "SELECT COUNT(*), SUM(LENGTH(text)) FROM session_prints"
            " WHERE session_id = ?",
            (sid,),
        ).fetchone()
    assert stored[1] <= 20000 + 200  # the cap, plus the one marker
    out = limited.ok("session", "prints", sid, "-n").splitlines()
    assert out[0] == "line 00000"
    kept = len(out) - 1
    assert kept == stored[0] - 1 and 1000 < kept < 3000  # more than one page
    assert out[-1] == (
        f"[ak] {3000 - kept} prints ({(3000 - kept) * 10} bytes) dropped: this"
        " session's prints exceed sessions.max_prints_size (20000 bytes)"
    )
    # the server answers a page at a time; the CLI above followed the pages
    body = json.dumps({"session_id": sid, "page_size": 7}).encode()
    status, text = post(limited.server, "sessions", "GetPrints", body)
    page = json.loads(text)
    assert status == 200 and len(page["prints"]) == 7
    assert page["next_page_token"] == str(page["prints"][-1]["id"])
