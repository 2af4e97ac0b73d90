"""kill -9 of `ak up` during a burst of signed GitHub deliveries: every
delivery that got a 2xx has its event and exactly one session, and GitHub's
redeliveries (same X-GitHub-Delivery) after the restart start nothing twice."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.e2e.connhelpers import ak, ak_json, github_headers, post
from tests.server import AkServer

pytestmark = pytest.mark.e2e

MANIFEST = """version: v2
project:
  name: burst
  connections:
    - name: gh
      integration: github
  triggers:
    - name: on_push
      connection: gh
      event_type: push
      call: program.py:on_push
"""
N = 80


def send_all(url: str, secret: str, ids: list[str], ok: set[str]) -> None:
    def one(delivery: str) -> None:
        body = json.dumps({"ref": "refs/heads/main", "delivery": delivery}).encode()
        try:
            status, _ = post(url, body, github_headers(secret, body, "push", delivery))
        except OSError:  # the server is gone
            return
        if 200 <= status < 300:
            ok.add(delivery)

    threads = [threading.Thread(target=one, args=(d,)) for d in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)


def ended(server: AkServer) -> int:
    db = sqlite3.connect(f"file:{server.db_file}?mode=ro", uri=True, timeout=10)
    try:
        sql = "SELECT COUNT(*) FROM sessions WHERE state IN ('completed', 'error')"
        return int(db.execute(sql).fetchone()[0])
    finally:
        db.close()


def test_kill9_during_signed_burst(tmp_path: Path) -> None:
    server = AkServer(
        tmp_path / "home", mode="dev", env={"AK_WORKER_PYTHON": sys.executable}
    )
    server.start()
    work = tmp_path / "work"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(MANIFEST)
    (work / "program.py").write_text(
        "def on_push(event):\n    return event.data.delivery\n"
    )
    ak(server, "deploy", cwd=work)
    ak(server, "connection", "set", "burst/gh", "pat", input="ghp_x\n")
    conn = ak_json(server, "connection", "get", "burst/gh", "--reveal")["connection"]
    secret = next(v["value"] for v in conn["vars"] if v["name"] == "pat_secret")
    path = conn["webhook_urls"][0].removeprefix(server.url)

    ids = [f"d-{i}" for i in range(N)]
    ok: set[str] = set()
    sender = threading.Thread(
        target=send_all, args=(server.url + path, secret, ids, ok)
    )
    sender.start()
    while len(ok) < N // 4 and sender.is_alive():
        threading.Event().wait(0.01)
    server.kill9()
    sender.join(120)
    assert 0 < len(ok) < N, len(ok)
    before = set(ok)

    server.start()
    again: set[str] = set()  # GitHub redelivers every delivery (the 2xx'd ones too)
    send_all(server.url + path, secret, ids, again)
    assert again == set(ids)
    deadline = time.monotonic() + 90
    while ended(server) < N and time.monotonic() < deadline:
        time.sleep(0.2)  # non-durable sessions cut by the kill end in ERROR
    server.stop()

    db = sqlite3.connect(f"file:{server.db_file}?mode=ro", uri=True)
    rows = db.execute(
        "SELECT json_extract(e.memo, '$.delivery_id'), COUNT(DISTINCT e.event_id),"
        " COUNT(s.session_id) FROM events e LEFT JOIN sessions s USING (event_id)"
        " WHERE e.event_type = 'push' GROUP BY 1"
    ).fetchall()
    db.close()
    per = {d: (events, sessions) for d, events, sessions in rows}
    assert set(per) == set(ids)
    assert all(per[d] == (1, 1) for d in ids), {
        d: per[d] for d in ids if per[d] != (1, 1)
    }
    assert before <= set(per)
