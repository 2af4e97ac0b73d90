"""Manifest activity defaults (`project.pythonrt.activity_retry` / `activity_timeout`,
and per trigger) become AK_ACTIVITY_* project vars; bad values are rejected."""

from __future__ import annotations

import json

import pytest

from akcli.errors import AkError
from akcli.manifest import load_manifest

BASE = """
version: v1
project:
  name: p
  pythonrt:
{pythonrt}
  triggers:
    - name: hook
      type: webhook
      call: program.py:main
{trigger}
"""


def _vars(pythonrt: str, trigger: str = "") -> dict[str, str]:
    m = load_manifest(BASE.format(pythonrt=pythonrt, trigger=trigger), "m.yaml")
    assert m.project is not None
    return {v.name: v.value for v in m.project.vars}


def test_project_and_trigger_defaults_become_vars() -> None:
    got = _vars(
        "    activity_retry: {retries: 2, initial_interval: 0.5, retry_on: [OSError]}\n"
        "    activity_timeout: 30",
        "      activity_retry: 1\n      activity_timeout: 2.5",
    )
    assert json.loads(got["AK_ACTIVITY_RETRY"]) == {
        "retries": 2,
        "initial_interval": 0.5,
        "retry_on": ["OSError"],
    }
    assert got["AK_ACTIVITY_TIMEOUT"] == "30"
    assert got["AK_ACTIVITY_RETRY__hook"] == "1"
    assert got["AK_ACTIVITY_TIMEOUT__hook"] == "2.5"


@pytest.mark.parametrize(
    ("pythonrt", "message"),
    [
        ("    activity_retry: {tries: 1}", "unknown retry policy field 'tries'"),
        ("    activity_retry: -1", "retries must be >= 0"),
        ("    activity_retry: {multiplier: x}", "multiplier must be a non-negative"),
        ("    activity_timeout: 0", "must be a number of seconds > 0"),
        ("    activity_tries: 3", "project.pythonrt.activity_tries: unknown key"),
    ],
)
def test_bad_defaults_are_rejected(pythonrt: str, message: str) -> None:
    with pytest.raises(AkError) as info:
        _vars(pythonrt)
    assert message in str(info.value)
