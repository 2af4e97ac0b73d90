"""Webhooks against the real server: bodies, headers, 404, 413 (cli.md §6.1)."""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server import AkServer

pytestmark = pytest.mark.e2e

MANIFEST = """version: v1
project:
  name: hooks
  triggers:
    - name: all
      type: webhook
      call: program.py:on_event
"""
SLUG = "00000000000000000000000003"  # project 1, trigger 2, slug 3


def ak(server: AkServer, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "akcli", *args],
        cwd=cwd,
        env={**os.environ, **server.env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AkServer]:
    tmp = tmp_path_factory.mktemp("webhooks")
    server = AkServer(tmp / "home", env={"AK_WEBHOOKS__MAX_BODY_SIZE": "1000"}).start()
    work = tmp / "work"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(MANIFEST)
    (work / "program.py").write_text("def on_event(event):\n    pass\n")
    try:
        p = ak(server, work, "deploy")
        assert p.returncode == 0, p.stdout + p.stderr
        server.work = work  # type: ignore[attr-defined]
        yield server
    finally:
        server.stop()


def request(
    server: AkServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> http.client.HTTPResponse:
    u = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(u.hostname or "", u.port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp


def event(server: AkServer, event_id: str) -> dict[str, Any]:
    p = ak(server, server.work, "event", "get", event_id, "-j")  # type: ignore[attr-defined]
    assert p.returncode == 0, p.stderr
    doc: dict[str, Any] = json.loads(p.stdout)["event"]
    return doc


def test_post_json_with_query_and_suffix(deployed: AkServer) -> None:
    resp = request(
        deployed,
        "POST",
        f"/webhooks/{SLUG}/a/b?q=1&q=2",
        b'{"k": [1, 2]}',
        {"Content-Type": "application/json", "x-custom": "v"},
    )
    assert resp.status == 202
    assert resp.getheader("Cache-Control") == "no-cache"
    eid = resp.getheader("AutoKitteh-Event-ID") or ""
    ev = event(deployed, eid)
    assert ev["event_type"] == "post"
    assert ev["destination_id"] == "trg_00000000000000000000000002"
    data = ev["data"]
    assert data["method"] == "POST"
    assert data["raw_url"] == f"/webhooks/{SLUG}/a/b?q=1&q=2"
    assert data["url"] == {
        "path": f"/webhooks/{SLUG}/a/b",
        "query": {"q": "1, 2"},
        "path_suffix": "a/b",
    }
    assert data["headers"]["Content-Type"] == "application/json"
    assert data["headers"]["X-Custom"] == "v"
    assert data["trailers"] == {}
    assert data["body"] == {
        "bytes": base64.b64encode(b'{"k": [1, 2]}').decode(),
        "text": '{"k": [1, 2]}',
        "form": None,
        "json": {"k": [1, 2]},
    }
    assert ev["memo"]["webhook_slug"] == SLUG
    assert ev["memo"]["remote_addr"].startswith("127.0.0.1:")


def test_form_and_binary_bodies(deployed: AkServer) -> None:
    resp = request(
        deployed,
        "POST",
        f"/webhooks/{SLUG}",
        b"a=1&a=2&b=x",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    body = event(deployed, resp.getheader("AutoKitteh-Event-ID") or "")["data"]["body"]
    assert body["form"] == {"a": "1, 2", "b": "x"}
    raw = bytes(range(200, 256))
    resp = request(deployed, "PUT", f"/webhooks/{SLUG}", raw)
    ev = event(deployed, resp.getheader("AutoKitteh-Event-ID") or "")
    assert ev["event_type"] == "put"
    assert ev["data"]["body"] == {
        "bytes": base64.b64encode(raw).decode(),
        "text": None,
        "form": None,
        "json": None,
    }


def test_get_without_body_and_other_methods(deployed: AkServer) -> None:
    resp = request(deployed, "GET", f"/webhooks/{SLUG}")
    data = event(deployed, resp.getheader("AutoKitteh-Event-ID") or "")["data"]
    assert data["url"]["path_suffix"] == ""
    assert data["body"] == {"bytes": None, "text": None, "form": None, "json": None}
    for method in ("DELETE", "PATCH", "OPTIONS"):
        assert request(deployed, method, f"/webhooks/{SLUG}/x").status == 202


def test_unknown_slug_404(deployed: AkServer) -> None:
    resp = request(deployed, "GET", "/webhooks/00000000000000000000000099")
    assert resp.status == 404


def test_inactive_deployment_404(tmp_path: Path) -> None:
    server = AkServer(tmp_path / "home").start()
    try:
        (tmp_path / "w").mkdir()
        p = ak(server, tmp_path / "w", "project", "create", "-n", "p")
        assert p.returncode == 0
        p = ak(server, tmp_path / "w", "trigger", "create", "-n", "t", "-p", "p", "-w")
        assert p.returncode == 0, p.stderr
        assert request(server, "GET", f"/webhooks/{SLUG}").status == 404
    finally:
        server.stop()


def test_413_content_length(deployed: AkServer) -> None:
    u = urllib.parse.urlsplit(deployed.url)
    conn = http.client.HTTPConnection(u.hostname or "", u.port, timeout=30)
    conn.request("POST", f"/webhooks/{SLUG}", body=b"x" * 1001)
    resp = conn.getresponse()
    assert resp.status == 413
    assert resp.read() == b"Request Entity Too Large (1001>1000 bytes)"
    conn.close()
    assert request(deployed, "POST", f"/webhooks/{SLUG}", b"x" * 1000).status == 202


def test_413_chunked(deployed: AkServer) -> None:
    u = urllib.parse.urlsplit(deployed.url)
    conn = http.client.HTTPConnection(u.hostname or "", u.port, timeout=30)
    conn.putrequest("POST", f"/webhooks/{SLUG}")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    try:
        for _ in range(5):
            chunk = b"y" * 300
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
    except OSError:
        pass  # the server may answer (and close) before the body is all sent
    resp = conn.getresponse()
    assert resp.status == 413
    assert resp.read().startswith(b"Request Entity Too Large (")
    conn.close()
    # a chunked body under the limit is accepted
    conn = http.client.HTTPConnection(u.hostname or "", u.port, timeout=30)
    conn.request("POST", f"/webhooks/{SLUG}", body=iter([b"a" * 100, b"b" * 100]))
    resp = conn.getresponse()
    assert resp.status == 202
    eid = resp.getheader("AutoKitteh-Event-ID") or ""
    conn.close()
    assert event(deployed, eid)["data"]["body"]["text"] == "a" * 100 + "b" * 100
