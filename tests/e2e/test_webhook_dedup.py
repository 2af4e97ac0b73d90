"""Webhook delivery dedup against the real server (issue 15, item 7)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from tests.e2e.test_webhooks import ak, request
from tests.server import AkServer

pytestmark = pytest.mark.e2e

MANIFEST = """version: v1
project:
  name: dedup
  triggers:
    - name: plain
      type: webhook
      call: program.py:on_event
    - name: byhash
      type: webhook
      call: program.py:on_event
      dedup: body_hash
    - name: byheader
      type: webhook
      call: program.py:on_event
      dedup: header:X-Request-Id
      dedup_window: 1
    - name: sync
      type: webhook
      call: program.py:on_sync
      is_sync: true
"""
PROGRAM = """
import autokitteh

def on_event(event):
    print("got", event.data.body.text)

def on_sync(event):
    autokitteh.http_outcome(status_code=201, body="made " + event.data.body.text)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AkServer]:
    tmp = tmp_path_factory.mktemp("dedup")
    srv = AkServer(tmp / "home").start()
    work = tmp / "work"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(MANIFEST)
    (work / "program.py").write_text(PROGRAM)
    try:
        p = ak(srv, work, "deploy")
        assert p.returncode == 0, p.stdout + p.stderr
        srv.work = work  # type: ignore[attr-defined]
        yield srv
    finally:
        srv.stop()


def _slug(server: AkServer, name: str) -> str:
    p = ak(server, server.work, "trigger", "list", "-j")  # type: ignore[attr-defined]
    assert p.returncode == 0, p.stderr
    for line in p.stdout.splitlines():
        t = json.loads(line)
        if t["name"] == name:
            return str(t["webhook_slug"])
    raise AssertionError(f"no trigger {name}: {p.stdout}")


def _sessions(server: AkServer) -> list[dict[str, object]]:
    p = ak(server, server.work, "session", "list", "-j")  # type: ignore[attr-defined]
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


def _events(server: AkServer) -> list[dict[str, object]]:
    p = ak(server, server.work, "event", "list", "-j")  # type: ignore[attr-defined]
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


def _post(server: AkServer, slug: str, body: bytes, **headers: str) -> tuple[int, str]:
    resp = request(server, "POST", f"/webhooks/{slug}", body, headers)
    return resp.status, str(resp.getheader("AutoKitteh-Event-ID"))


def test_github_delivery_three_times(server: AkServer) -> None:
    slug = _slug(server, "plain")
    before_ev, before_ses = len(_events(server)), len(_sessions(server))
    hdr = {"X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958"}
    answers = [_post(server, slug, b'{"zen": "x"}', **hdr) for _ in range(3)]
    assert answers[0][0] == 202 and answers == [answers[0]] * 3
    time.sleep(0.5)  # dispatch
    assert len(_events(server)) == before_ev + 1
    assert len(_sessions(server)) == before_ses + 1
    # Another delivery ID is another event.
    other = _post(server, slug, b'{"zen": "x"}', **{"X-GitHub-Delivery": "other"})
    assert other[0] == 202 and other[1] != answers[0][1]


def test_stripe_and_slack_defaults(server: AkServer) -> None:
    slug = _slug(server, "plain")
    stripe = b'{"id": "evt_1", "type": "charge.succeeded"}'
    a = _post(server, slug, stripe, **{"Stripe-Signature": "t=1,v1=x"})
    b = _post(server, slug, stripe, **{"Stripe-Signature": "t=2,v1=y"})
    assert a == b
    slack = b'{"event_id": "Ev1", "type": "event_callback"}'
    c = _post(server, slug, slack, **{"X-Slack-Signature": "v0=1"})
    d = _post(
        server, slug, slack, **{"X-Slack-Signature": "v0=2", "X-Slack-Retry-Num": "1"}
    )
    assert c == d and c != a
    # A plain body without provider headers is never deduplicated.
    assert _post(server, slug, stripe) != _post(server, slug, stripe)


def test_body_hash_and_header_window(server: AkServer) -> None:
    slug = _slug(server, "byhash")
    assert _post(server, slug, b"same") == _post(server, slug, b"same")
    assert _post(server, slug, b"same") != _post(server, slug, b"other")
    slug = _slug(server, "byheader")
    first = _post(server, slug, b"1", **{"X-Request-Id": "r1"})
    assert _post(server, slug, b"2", **{"X-Request-Id": "r1"}) == first
    time.sleep(1.2)  # past the 1 s window: a new event
    assert _post(server, slug, b"3", **{"X-Request-Id": "r1"}) != first


def test_sync_retry_gets_stored_outcome(server: AkServer) -> None:
    slug = _slug(server, "sync")
    before = len(_sessions(server))
    hdr = {"X-GitHub-Delivery": "sync-1"}
    answers = []
    for _ in range(2):
        resp = request(server, "POST", f"/webhooks/{slug}", b"it", hdr)
        answers.append((resp.status, resp.getheader("AutoKitteh-Event-ID")))
    assert answers[0][0] == 201 and answers[0] == answers[1]
    time.sleep(0.3)
    assert len(_sessions(server)) == before + 1


def test_kill9_after_first_answer(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The delivery key commits with its event: after a kill -9 right after the
    first 202, the retried delivery still answers with the first event ID."""
    tmp = tmp_path_factory.mktemp("dedup-kill")
    srv = AkServer(tmp / "home", mode="dev").start()
    work = tmp / "work"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(MANIFEST)
    (work / "program.py").write_text(PROGRAM)
    srv.work = work  # type: ignore[attr-defined]
    try:
        assert ak(srv, work, "deploy").returncode == 0
        slug = _slug(srv, "plain")
        hdr = {"X-GitHub-Delivery": "kill-1"}
        first = _post(srv, slug, b"{}", **hdr)
        srv.kill9()
        srv.start()
        again = _post(srv, slug, b"{}", **hdr)
        deadline = time.monotonic() + 20
        while not _sessions(srv):
            assert time.monotonic() < deadline, "no session"
            time.sleep(0.1)
        time.sleep(0.3)
        sessions, events = _sessions(srv), _events(srv)
    finally:
        srv.stop()
    assert first[0] == 202 and again == first
    assert len(events) == 1 and len(sessions) == 1
