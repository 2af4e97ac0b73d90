"""Manifest activity defaults: ``project.pythonrt.activity_retry`` /
``activity_timeout``, and the same two keys on a trigger.

They become project vars, which reach every session of the project as
environment variables; the runner's SDK reads them (runner/autokitteh/_retry.py)::

    AK_ACTIVITY_RETRY             project default (JSON: retries or a policy)
    AK_ACTIVITY_TIMEOUT           project default (seconds)
    AK_ACTIVITY_RETRY__<trigger>  for sessions started by <trigger>
    AK_ACTIVITY_TIMEOUT__<trigger>

A retry value is a number of retries (``3``) or a mapping of ``RetryPolicy``
fields: ``max_attempts`` or ``retries``, ``initial_interval``, ``multiplier``,
``max_interval`` (seconds / factor), ``retry_on`` and ``non_retryable``
(exception class names).
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from akcli.manifest.model import VarSpec

PREFIX = "AK_ACTIVITY_"
RETRY_VAR = "AK_ACTIVITY_RETRY"
TIMEOUT_VAR = "AK_ACTIVITY_TIMEOUT"
PYTHONRT_KEYS = ("activity_retry", "activity_timeout")
_INTS = ("max_attempts", "retries")
_NUMBERS = ("initial_interval", "multiplier", "max_interval")
_NAMES = ("retry_on", "non_retryable")


def _value(node: yaml.Node) -> Any:
    return yaml.safe_load(yaml.serialize(node))


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _retry_problem(v: Any) -> str | None:
    if isinstance(v, int) and not isinstance(v, bool):
        return None if v >= 0 else "retries must be >= 0"
    if not isinstance(v, dict):
        return "must be a number of retries or a mapping of retry policy fields"
    for key, item in v.items():
        if key in _INTS:
            if not isinstance(item, int) or isinstance(item, bool) or item < 0:
                return f"{key} must be a non-negative integer"
        elif key in _NUMBERS:
            if not _number(item) or item < 0:
                return f"{key} must be a non-negative number"
        elif key in _NAMES:
            names = [item] if isinstance(item, str) else item
            if not isinstance(names, list) or not all(
                isinstance(n, str) for n in names
            ):
                return f"{key} must be a list of exception class names"
        else:
            return f"unknown retry policy field {key!r}"
    return None


def _vars(
    fields: dict[str, yaml.Node], where: str, suffix: str, errors: list[str]
) -> list[VarSpec]:
    out: list[VarSpec] = []
    if "activity_retry" in fields:
        value = _value(fields["activity_retry"])
        problem = _retry_problem(value)
        if problem:
            errors.append(f"- {where}.activity_retry: {problem}")
        else:
            out.append(
                VarSpec(
                    name=RETRY_VAR + suffix,
                    value=json.dumps(value),
                    description="activity retry policy (from the manifest)",
                )
            )
    if "activity_timeout" in fields:
        value = _value(fields["activity_timeout"])
        if not _number(value) or value <= 0:
            errors.append(
                f"- {where}.activity_timeout: must be a number of seconds > 0"
            )
        else:
            out.append(
                VarSpec(
                    name=TIMEOUT_VAR + suffix,
                    value=str(value),
                    description="activity timeout in seconds (from the manifest)",
                )
            )
    return out


def project_vars(node: yaml.Node | None, errors: list[str]) -> list[VarSpec]:
    """The vars of ``project.pythonrt`` (unknown keys are errors)."""
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        errors.append("- project.pythonrt: must be a mapping")
        return []
    fields: dict[str, yaml.Node] = {}
    for k, v in node.value:
        key = str(k.value)
        if key not in PYTHONRT_KEYS:
            line = int(k.start_mark.line) + 1
            errors.append(f"- project.pythonrt.{key}: unknown key (line {line})")
        else:
            fields[key] = v
    return _vars(fields, "project.pythonrt", "", errors)


def trigger_vars(
    trigger: str, node: yaml.Node, where: str, errors: list[str]
) -> list[VarSpec]:
    """The vars of a trigger's ``activity_retry`` / ``activity_timeout``."""
    if not isinstance(node, yaml.MappingNode) or not trigger:
        return []
    fields = {str(k.value): v for k, v in node.value if str(k.value) in PYTHONRT_KEYS}
    return _vars(fields, where, f"__{trigger}", errors)
