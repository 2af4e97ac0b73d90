"""SDK syscalls end to end through real runners: store, child sessions, signals, events."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from akcli.server.state import Server
from akcli.store.db import now
from tests.engine.conftest import deploy, prints, run_with_engine, start, wait_final

pytestmark = pytest.mark.usefixtures("worker_python")

STORE = """
import autokitteh as ak

def incr(event):
    ak.add_values("counter", 1)

def ops(event):
    ak.set_value("d", {"a": [1, None, "x"]})
    print(ak.get_value("d"))
    print(ak.check_and_set_value("d", {"a": [1, None, "x"]}, 5))
    print(ak.check_and_set_value("d", 4, 6))
    print(ak.add_values("big", 2**70))
    print(sorted(ak.list_values_keys()))
    ak.del_value("big")
    print(ak.get_value("big"))
"""


def test_store_counter_20_concurrent_sessions(tmp_path: Path) -> None:
    async def body(srv: Server) -> None:
        ids = deploy(srv, {"main.py": STORE})
        sids = [start(srv, ids, "main.py:incr", durable=i % 2 == 0) for i in range(20)]
        for sid in sids:
            row = await wait_final(srv, sid, 60)
            assert row["state"] == "completed", row["error"]
        value = srv.db.one("SELECT value FROM store_values WHERE key = 'counter'")
        assert value is not None and json.loads(value["value"]) == 20

    run_with_engine(tmp_path, body)


@pytest.mark.parametrize("durable", [True, False])
def test_store_operations(tmp_path: Path, durable: bool) -> None:
    async def body(srv: Server) -> None:
        sid = start(
            srv, deploy(srv, {"main.py": STORE}), "main.py:ops", durable=durable
        )
        row = await wait_final(srv, sid)
        assert row["state"] == "completed", row["error"]
        assert prints(srv, sid) == [
            "{'a': [1, None, 'x']}",
            "True",
            "False",
            str(2**70),
            "['big', 'd']",
            "None",
        ]

    run_with_engine(tmp_path, body)


PING_PONG = """
import autokitteh as ak

def parent(event, session_id):
    child = ak.start("main.py:child", {"n": 2, "parent": session_id})
    sig = ak.next_signal("pong", timeout=20)
    print("parent got", sig.payload if sig else None)
    ak.signal(child, "ping", {"from": "parent"})
    done = ak.next_signal(child, timeout=20)
    print("child ended", done.payload)
    print("timeout gives", ak.next_signal("never", timeout=0.2))

def child(event):
    print("child n", event.data.n)
    ak.signal(event.data.parent, "pong", {"n": event.data.n})
    print("child got", ak.next_signal("ping", timeout=20).payload)
    return "child-result"
"""


def test_parent_child_signals(tmp_path: Path) -> None:
    async def body(srv: Server) -> None:
        sid = start(srv, deploy(srv, {"main.py": PING_PONG}), "main.py:parent")
        row = await wait_final(srv, sid, 40)
        assert row["state"] == "completed", row["error"]
        assert prints(srv, sid) == [
            "parent got {'n': 2}",
            "child ended {'completed': True, 'value': 'child-result'}",
            "timeout gives None",
        ]
        child = srv.db.one("SELECT * FROM sessions WHERE parent_session_id = ?", sid)
        assert child is not None and child["state"] == "completed"
        assert child["is_durable"] == 1  # children inherit durability
        assert prints(srv, child["session_id"]) == [
            "child n 2",
            "child got {'from': 'parent'}",
        ]

    run_with_engine(tmp_path, body)


EVENTS = """
import autokitteh as ak

def waiter(event):
    sub = ak.subscribe("second", "data.url.path.endsWith('/woof')")
    e = ak.next_event(sub, timeout=20)
    print("got", e.url.path if e else None)
    print("then", ak.next_event(sub, timeout=0.3))
"""


def _insert_event(srv: Server, trigger_id: str, path: str) -> None:
    eid = srv.ids.new("evt")
    with srv.db.tx() as c:
        c.execute(
            "INSERT INTO events (event_id, destination_id, event_type, data, memo,"
            " created_at, dispatched) VALUES (?, ?, 'get', ?, '{}', ?, 1)",
            (eid, trigger_id, json.dumps({"url": {"path": path}}), now()),
        )
    srv.engine.kick()


@pytest.mark.parametrize("durable", [True, False])
def test_subscribe_next_event_with_filter(tmp_path: Path, durable: bool) -> None:
    async def body(srv: Server) -> None:
        ids = deploy(srv, {"main.py": EVENTS})
        tid = srv.ids.new("trg")
        with srv.db.tx() as c:
            c.execute(
                "INSERT INTO triggers (trigger_id, project_id, name, source_type,"
                " webhook_slug, created_at, updated_at) VALUES (?, ?, 'second',"
                " 'SOURCE_TYPE_WEBHOOK', 'slug', ?, ?)",
                (tid, ids[0], now(), now()),
            )
        sid = start(srv, ids, "main.py:waiter", durable=durable)
        for _ in range(100):  # wait until subscribed
            if srv.db.one("SELECT 1 FROM subscriptions WHERE session_id = ?", sid):
                break
            await asyncio.sleep(0.05)
        _insert_event(srv, tid, "/webhooks/slug/meow")  # does not match the filter
        _insert_event(srv, tid, "/webhooks/slug/woof")
        row = await wait_final(srv, sid)
        assert row["state"] == "completed", row["error"]
        assert prints(srv, sid) == ["got /webhooks/slug/woof", "then None"]

    run_with_engine(tmp_path, body)


def test_subscribe_unknown_source_error(tmp_path: Path) -> None:
    program = (
        "import autokitteh as ak\ndef main(e):\n    ak.subscribe('meow', 'true')\n"
    )

    async def body(srv: Server) -> None:
        sid = start(srv, deploy(srv, {"main.py": program}), "main.py:main")
        row = await wait_final(srv, sid)
        assert row["state"] == "error"
        assert 'subscribe: source "meow" not found' in row["error"]

    run_with_engine(tmp_path, body)
