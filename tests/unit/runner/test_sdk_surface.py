"""The SDK's public surface matches upstream 0.8.x (sdk-parity.md), outside a runner."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pickle
import subprocess
import sys

import autokitteh
import pytest
from autokitteh import AttrDict, AutoKittehError, Event

import runner

# Upstream 0.8.2's submodules and the public names of each (its py-sdk tree).
UPSTREAM = {
    "activities": [
        "ACTIVITY_ATTR",
        "INHIBIT_ACTIVITIES_ATTR",
        "activity",
        "inhibit_activities",
        "register_no_activity",
    ],
    "attr_dict": ["AttrDict"],
    "event": ["Event"],
    "events": ["next_event", "start", "subscribe", "unsubscribe"],
    "outcomes": ["http_outcome", "outcome"],
    "signals": ["Signal", "next_signal", "signal"],
    "triggers": ["get_webhook_url"],
    "packages": ["install"],
    "store": [
        "Op",
        "Store",
        "store",
        "add_values",
        "check_and_set_value",
        "del_value",
        "get_store_public_url",
        "get_value",
        "list_values_keys",
        "mutate_value",
        "publish_value",
        "set_value",
        "unpublish_value",
    ],
}


@pytest.mark.parametrize("module", sorted(UPSTREAM))
def test_submodule_names(module: str) -> None:
    mod = importlib.import_module(f"autokitteh.{module}")
    missing = [n for n in UPSTREAM[module] if not hasattr(mod, n)]
    assert missing == []


def test_store_module_and_object() -> None:
    import autokitteh.store
    from autokitteh.store import Op, Store

    # The attribute is the store object (as upstream), the module has the types.
    assert isinstance(autokitteh.store, Store)
    assert sys.modules["autokitteh.store"].store is autokitteh.store
    assert Op.CHECK_AND_SET == "check_and_set"
    assert [o.value for o in Op] == ["get", "set", "del", "add", "check_and_set"]


def test_import_with_runner_dir_on_path() -> None:
    # What the venv helper installs: runner/ on sys.path, `import autokitteh`.
    code = (
        "import autokitteh.store, autokitteh.activities, autokitteh.events;"
        "from autokitteh.store import Op; from autokitteh import AttrDict;"
        "print(AttrDict({'a': {'b': 2}}).a.b, Op.ADD)"
    )
    r = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {_dir()!r}); {code}",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["2", "add"]


def _dir() -> str:
    import os

    return os.path.dirname(os.path.abspath(runner.__file__))


def test_signatures() -> None:
    params = inspect.signature(autokitteh.outcome).parameters
    assert list(params) == ["v", "event_id"]
    assert params["event_id"].kind is inspect.Parameter.KEYWORD_ONLY
    params = inspect.signature(autokitteh.http_outcome).parameters
    assert list(params) == [
        "status_code",
        "body",
        "json",
        "headers",
        "more",
        "event_id",
    ]
    assert params["status_code"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    kinds = {p.kind for n, p in params.items() if n != "status_code"}
    assert kinds == {inspect.Parameter.KEYWORD_ONLY}
    with pytest.raises(TypeError):
        autokitteh.http_outcome(200, "body")  # type: ignore[misc]
    # Upstream's other signatures: (positional names, *varargs, keyword-only).
    want = {
        autokitteh.next_event: (["subscription_id"], None, ["timeout", "full"]),
        autokitteh.next_signal: (["name"], None, ["timeout"]),
        autokitteh.start: (["loc", "data", "memo", "project"], None, []),
        autokitteh.subscribe: (["source", "filter"], None, []),
        autokitteh.signal: (["session_id", "name", "payload"], None, []),
        autokitteh.mutate_value: (["key", "op"], "args", []),
        autokitteh.check_and_set_value: (
            ["key", "expected_value", "new_value"],
            None,
            [],
        ),
        autokitteh.get_webhook_url: (["trigger_name"], None, []),
    }
    for fn, shape in want.items():
        ps = inspect.signature(fn).parameters.values()
        got = (
            [p.name for p in ps if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD],
            next(
                (p.name for p in ps if p.kind is inspect.Parameter.VAR_POSITIONAL), None
            ),
            [p.name for p in ps if p.kind is inspect.Parameter.KEYWORD_ONLY],
        )
        assert got == shape, fn


def test_event_is_a_dataclass() -> None:
    ev = Event(data={"a": {"b": 1}}, event_id="evt_1", event_type="post")
    assert dataclasses.is_dataclass(ev)
    assert [f.name for f in dataclasses.fields(Event)] == [
        "data",
        "event_id",
        "event_type",
    ]
    assert isinstance(ev.data, AttrDict)
    assert ev.data.a.b == 1 and ev["data"]["a"]["b"] == 1
    assert dataclasses.asdict(ev) == {
        "data": {"a": {"b": 1}},
        "event_id": "evt_1",
        "event_type": "post",
    }
    other = dataclasses.replace(ev, event_id="evt_2")
    assert other.event_id == "evt_2" and other.data == ev.data
    assert pickle.loads(pickle.dumps(ev)) == ev
    # Upstream's docs: unit-test a handler with an AttrDict as the event.
    assert autokitteh.attr_dict.AttrDict({"x": 1}).x == 1


def test_store_mapping_semantics() -> None:
    s = autokitteh.store
    for k in list(s):
        del s[k]
    assert s["missing"] is None
    del s["missing"]  # silent
    assert "missing" not in s
    assert s.get("missing", 7) == 7
    s["k"] = {"v": 1}
    assert s["k"] == {"v": 1} and "k" in s and s.get("k", 7) == {"v": 1}
    assert list(s) == ["k"] and len(s) == 1
    del s["k"]
    assert len(s) == 0


def test_start_checks_json() -> None:
    import datetime

    with pytest.raises(ValueError, match="^start: invalid data: "):
        autokitteh.start("main.py:f", {"when": datetime.datetime.now()})
    with pytest.raises(ValueError, match="^start: invalid memo: "):
        autokitteh.start("main.py:f", {}, {"k": object()})  # type: ignore[dict-item]
    assert autokitteh.start("main.py:f", {"n": [1, 2]}, {"k": "v"}).startswith("ses_")


def test_negative_timeout() -> None:
    with pytest.raises(AutoKittehError, match=r"^next_event: timeout < 0$"):
        autokitteh.next_event("s", timeout=-1)
    with pytest.raises(AutoKittehError, match=r"^next_signal: timeout < 0$"):
        autokitteh.next_signal("s", timeout=-0.5)
    assert autokitteh.next_event("s", timeout=0) is None


def test_packages_install_skips_importable() -> None:
    from autokitteh import packages

    packages.install("json", ("email", "email"))  # importable: nothing run
    with pytest.raises(ValueError, match="length should be 2"):
        packages.install(("a", "b", "c"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bad package"):
        packages.install(3)  # type: ignore[arg-type]
