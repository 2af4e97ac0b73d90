"""The autokitteh SDK outside a runner: types and local fallbacks."""

from __future__ import annotations

import datetime
import pickle

import autokitteh
import pytest
from autokitteh import AttrDict, Event


def test_attrdict() -> None:
    d = AttrDict({"a": {"b": {"c": 1}}, "items": 3})
    assert d.a.b.c == 1
    assert d["a"]["b"]["c"] == 1
    assert isinstance(d.a, AttrDict)
    with pytest.raises(AttributeError):
        _ = d.missing
    with pytest.raises(NotImplementedError):
        d.x = 1
    d["x"] = 1
    assert d.x == 1
    assert callable(d.items)  # dict methods shadow keys
    assert "a" in dir(d)
    assert pickle.loads(pickle.dumps(d)) == d


def test_event() -> None:
    ev = Event.from_wire(
        {"data": {"body": {"bytes": "aGk="}}, "event_id": "evt_1", "event_type": "get"}
    )
    assert ev.data.body.bytes == b"hi"
    assert ev["data"] is ev.data
    assert ev["event_id"] == "evt_1"
    assert repr(ev) == (
        "Event(data={'body': {'bytes': b'hi'}}, event_id='evt_1', event_type='get')"
    )
    assert (
        repr(Event.from_wire(None)) == "Event(data={}, event_id=None, event_type=None)"
    )
    with pytest.raises(KeyError):
        ev["nope"]
    assert pickle.loads(pickle.dumps(ev)) == ev


def test_local_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert autokitteh.subscribe("x").startswith("sig_")
    assert autokitteh.next_event("sig", timeout=datetime.timedelta(seconds=1)) is None
    assert autokitteh.start("main.py:x").startswith("ses_")
    assert autokitteh.next_signal("x") is None
    assert autokitteh.is_deployment_active() is True
    autokitteh.set_value("k", [1, (2, 3)])
    assert autokitteh.get_value("k") == [1, [2, 3]]
    assert autokitteh.add_values("n", 2) == 2
    assert autokitteh.check_and_set_value("n", 2, 5) is True
    assert autokitteh.check_and_set_value("n", 2, 6) is False
    assert autokitteh.mutate_value("n", "get") == 5
    with pytest.raises(ValueError, match="too many operands"):
        autokitteh.mutate_value("n", "get", 1)
    autokitteh.store["s"] = 1
    assert autokitteh.store["s"] == 1
    del autokitteh.store["s"]
    assert "s" not in autokitteh.list_values_keys()
    with pytest.raises(ValueError, match="Webhook URL not found for trigger 'w'"):
        autokitteh.get_webhook_url("w")
    monkeypatch.setenv("w__webhook_url", "http://h/x")
    assert autokitteh.get_webhook_url("w") == "http://h/x"
    with pytest.raises(ValueError, match="both body and json"):
        autokitteh.http_outcome(200, body="b", json={})
    with pytest.raises(TypeError):  # keyword-only, as upstream
        autokitteh.http_outcome(404, "Not Found")  # type: ignore[misc]
    with pytest.raises(TypeError):
        autokitteh.next_event("s", timeout="soon")  # type: ignore[arg-type]


def test_decorators_and_inhibit() -> None:
    @autokitteh.activity
    def f() -> int:
        return 1

    assert f.__ak_activity__ is True  # type: ignore[attr-defined]

    @autokitteh.inhibit_activities
    def g() -> bool:
        from autokitteh._activity import inhibited

        return inhibited()

    assert g() is True
