"""Activity-rule decisions (runtime.md §3.1) and the deterministic allow-list."""

from __future__ import annotations

import datetime
import json
import math
import os
import random
import time
import types
import urllib.parse
import uuid
from typing import Any

import autokitteh

from runner import call
from runner.deterministic import is_deterministic
from runner.syscalls import current_activity


def test_deterministic_allow_list() -> None:
    now = datetime.datetime.now()
    yes = [
        len,
        open,
        sorted,
        str.join,
        ",".join,
        [].append,
        {}.get,
        dict,
        json.loads,
        json.dumps,
        math.sqrt,
        urllib.parse.quote,
        datetime.datetime,
        datetime.datetime.fromisoformat,
        datetime.timedelta,
        ValueError,
    ]
    no = [
        time.time,
        random.random,
        datetime.datetime.now,
        uuid.uuid4,
        os.getenv,
        os.listdir,
        time.sleep,
    ]
    assert [f for f in yes if not is_deterministic(f)] == []
    assert [f for f in no if is_deterministic(f)] == []
    assert is_deterministic(now.isoformat)


def test_activity_name() -> None:
    assert call.activity_name(random.randrange) == "randrange"
    assert call.activity_name(datetime.datetime.now) == "now"
    assert call.activity_name(random.Random().random) == "random"


def test_rules(durable_session: Any, tmp_path) -> None:
    user_file = tmp_path / "usermod.py"
    user_file.write_text(
        "def f():\n    return 1\nclass K:\n    def m(self):\n        return 2\n"
    )
    mod = types.ModuleType("usermod")
    mod.__file__ = str(user_file)
    exec(compile(user_file.read_text(), str(user_file), "exec"), mod.__dict__)
    import sys

    sys.modules["usermod"] = mod
    try:
        should = call.should_run_as_activity
        assert should(random.random)
        assert should(time.time)
        assert not should(len)
        assert not should(mod.f)
        assert not should(mod.K)
        assert not should(mod.K().m)
        assert not should(autokitteh.get_value)
        assert not should(autokitteh.activity)

        def local() -> None: ...

        assert should(autokitteh.activity(local))
        with autokitteh.inhibit_activities():
            assert not should(random.random)
        rnd = random.Random()
        autokitteh.register_no_activity([rnd.random, uuid.UUID, os.getpid])
        assert not should(rnd.random)
        assert should(random.Random().random)
        assert not should(uuid.UUID)
        assert not should(os.getpid)
        token = current_activity.set(1)
        try:
            assert not should(random.random)  # nested: inline
        finally:
            current_activity.reset(token)
        durable_session.loading = 1
        assert not should(random.random)  # module loading
        durable_session.loading = 0
        durable_session.durable = False
        assert not should(random.random)  # non-durable: nothing is an activity
    finally:
        del sys.modules["usermod"]
