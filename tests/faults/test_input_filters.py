"""CEL filters cannot freeze the server (issue 11 items 4 and 7).

A filter too costly to compile is refused at deploy (rc 40); one whose cost
depends on the event is stopped by its evaluation budget in a worker thread:
the event is marked with the error for that trigger, no session starts, and
`/healthz` answers meanwhile. On main before the fix the first deployed with
rc 0, the second blocked the event loop for minutes, and 3,000 nested
parentheses were `internal error: RecursionError` with rc 1.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.faults.conftest import Env

pytestmark = pytest.mark.faults

TEN = "[1,2,3,4,5,6,7,8,9,10]"
FIVE_MAPS = (
    f"{TEN}.map(a, {TEN}.map(b, {TEN}.map(c, {TEN}.map(d, {TEN}.map(e, a+b+c+d+e)))))"
    ".size() > 0"
)
# cheap to compile, 10^6 steps on a 100-element list from the event
BY_EVENT = (
    "data.body.json.xs.all(x, data.body.json.xs.all(y,"
    " data.body.json.xs.exists(z, x + y + z < 0)))"
)


def manifest(name: str, flt: str) -> dict[str, str]:
    return {
        "autokitteh.yaml": (
            f"version: v2\nproject:\n  name: {name}\n  triggers:\n"
            f"    - name: hook\n      type: webhook\n      call: program.py:on_hook\n"
            f"      filter: {json.dumps(flt)}\n"
        ),
        "program.py": "def on_hook(event):\n    print('matched')\n",
    }


def _deploy(env: Env, name: str, flt: str) -> tuple[int, str]:
    work = env.tmp / "projects" / name
    work.mkdir(parents=True, exist_ok=True)
    for path, text in manifest(name, flt).items():
        (work / path).write_text(text)
    r = env.ak("deploy", cwd=work)
    return r.exit_code, r.stdout + r.stderr


def test_costly_filter_refused_at_deploy(env: Env) -> None:
    rc, out = _deploy(env, "five_maps", FIVE_MAPS)
    assert rc == 40, out
    assert "filter too costly: macros nested 5 deep" in out
    assert out.strip().splitlines()[-1].startswith("Error: ")
    assert "five_maps" not in env.ok("project", "list")  # nothing created


def test_deeply_nested_filter_is_invalid_not_internal(env: Env) -> None:
    rc, out = _deploy(env, "parens", "(" * 3000 + "true" + ")" * 3000)
    assert rc == 40, out
    assert "invalid filter" in out and "nested too deeply" in out
    assert "RecursionError" not in out
    env.ok("project", "create", "-n", "parens_rpc")
    parens = "(" * 3000 + "true" + ")" * 3000
    r = env.ak("trigger", "create", "-p", "parens_rpc", "-n", "t", "-w", "-f", parens)
    assert r.exit_code == 40, r.stderr
    assert "invalid filter" in r.stderr and "RecursionError" not in r.stderr


def test_over_budget_filter_marks_the_event_and_server_serves(env: Env) -> None:
    env.deploy("budget", manifest("budget", BY_EVENT))
    slug = env.slug("budget", "hook")
    body = json.dumps({"xs": list(range(100))}).encode()
    status, headers, _ = env.request(
        "POST", f"/webhooks/{slug}", body, {"Content-Type": "application/json"}
    )
    assert status == 202
    event_id = headers["autokitteh-event-id"]
    # the filter runs in a worker thread: the loop answers while it is busy
    for _ in range(5):
        assert env.request("GET", "/healthz", timeout=5)[0] == 200
    deadline = time.monotonic() + 60
    while True:
        memo = json.loads(env.ok("event", "get", event_id, "-j"))["event"]["memo"]
        if "filter_error:hook" in memo:
            break
        assert time.monotonic() < deadline, memo
        time.sleep(0.2)
    assert memo["filter_error:hook"] == "filter exceeded its evaluation budget"
    assert env.ok("session", "list", "-p", "budget").strip() == ""
    # the server still dispatches matching events afterwards
    env.deploy("budget_ok", manifest("budget_ok", "size(data.body.json.xs) == 1"))
    slug = env.slug("budget_ok", "hook")
    env.request("POST", f"/webhooks/{slug}", b'{"xs": [1]}')
    deadline = time.monotonic() + 60
    while "ses_" not in env.ok("session", "list", "-p", "budget_ok"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
