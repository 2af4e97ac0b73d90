"""Manifest `dedup` / `dedup_window` on triggers, and the divergence table."""

from __future__ import annotations

import pytest

from akcli.errors import AkError
from akcli.manifest import load_manifest
from runner import divergence

BASE = """
version: v1
project:
  name: p
  triggers:
    - name: hook
      type: webhook
      call: program.py:main
{trigger}
"""


def _vars(trigger: str) -> dict[str, str]:
    m = load_manifest(BASE.format(trigger=trigger), "m.yaml")
    assert m.project is not None
    return {v.name: v.value for v in m.project.vars}


def test_dedup_options_become_vars() -> None:
    got = _vars("      dedup: header:X-Request-Id\n      dedup_window: 10m")
    assert got["AK_WEBHOOK_DEDUP__hook"] == "header:X-Request-Id"
    assert got["AK_WEBHOOK_DEDUP_WINDOW__hook"] == "600"
    got = _vars("      dedup: body_hash\n      dedup_window: 90")
    assert got["AK_WEBHOOK_DEDUP__hook"] == "body_hash"
    assert got["AK_WEBHOOK_DEDUP_WINDOW__hook"] == "90"


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        ('      dedup: "header: "', "dedup: must be header:<name>, body_hash or none"),
        ("      dedup: sha1", "dedup: must be header:<name>, body_hash or none"),
        ("      dedup_window: 0", "dedup_window: must be seconds or a duration"),
        ("      dedup_window: soon", "dedup_window: must be seconds or a duration"),
    ],
)
def test_bad_dedup_options_are_rejected(trigger: str, message: str) -> None:
    with pytest.raises(AkError) as info:
        _vars(trigger)
    assert message in str(info.value)


def test_table_and_summary() -> None:
    recorded = {
        "name": "two",
        "site": ["a.py", 3, "main", "b = two(a)"],
        "args_hash": "h1",
    }
    site = divergence.Site("a.py", 3, "main", "b = other(a)")
    lines = divergence.table(2, recorded, "other", site, "h2").splitlines()
    assert lines[0].split() == ["recorded", "now"]
    assert lines[2].split() == ["call", "two", "other"]
    assert lines[4].split() == ["args", "hash", "h1", "h2"]
    assert divergence.summary(2, recorded, "other", site) == (
        "diverges at seq 2: recorded two (a.py:3), now other (a.py:3)"
    )
    # An entry journaled before call sites existed shows "-".
    old = divergence.table(1, {"name": "x"}, "y", None, None).splitlines()
    assert old[3].split() == ["site", "-", "-"]


def test_args_hash_falls_back_to_reprs() -> None:
    assert divergence.args_hash((1,), {}) == divergence.args_hash((1,), {})
    assert divergence.args_hash((1,), {}) != divergence.args_hash((2,), {})
    assert divergence.args_hash((lambda: 0,), {}).startswith("~")
