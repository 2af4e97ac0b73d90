"""Manifest webhook dedup options: a trigger's ``dedup`` and ``dedup_window``.

``dedup: header:<name>`` keys deliveries by a request header, ``dedup:
body_hash`` by the SHA-256 of the body, ``dedup: none`` turns the provider
defaults off; ``dedup_window`` is seconds (a number) or a duration (``10m``).
They become project vars read by the webhook handler (akcli/server/dedup.py)::

    AK_WEBHOOK_DEDUP__<trigger>         header:<name> | body_hash | none
    AK_WEBHOOK_DEDUP_WINDOW__<trigger>  seconds
"""

from __future__ import annotations

import re

import yaml

from akcli.manifest.model import VarSpec

KEYS = ("dedup", "dedup_window")
DEDUP_VAR = "AK_WEBHOOK_DEDUP__"
WINDOW_VAR = "AK_WEBHOOK_DEDUP_WINDOW__"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")


def parse_window(value: object) -> float | None:
    """Seconds of a window (a positive number or ``<n>[smhd]``), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value > 0 else None
    m = _DURATION.match(str(value).strip())
    if m is None or float(m.group(1)) <= 0:
        return None
    return float(m.group(1)) * _UNITS[m.group(2) or "s"]


def valid_mode(value: str) -> bool:
    if value in ("body_hash", "none"):
        return True
    return value.startswith("header:") and bool(value[len("header:") :].strip())


def trigger_vars(
    trigger: str, node: yaml.Node, where: str, errors: list[str]
) -> list[VarSpec]:
    """The vars of a trigger's ``dedup`` / ``dedup_window``."""
    if not isinstance(node, yaml.MappingNode) or not trigger:
        return []
    fields = {str(k.value): v for k, v in node.value if str(k.value) in KEYS}
    out: list[VarSpec] = []
    if "dedup" in fields:
        mode = str(yaml.safe_load(yaml.serialize(fields["dedup"])))
        if not valid_mode(mode):
            errors.append(f"- {where}.dedup: must be header:<name>, body_hash or none")
        else:
            out.append(
                VarSpec(
                    name=DEDUP_VAR + trigger,
                    value=mode,
                    description="webhook dedup key",
                )
            )
    if "dedup_window" in fields:
        window = parse_window(yaml.safe_load(yaml.serialize(fields["dedup_window"])))
        if window is None:
            errors.append(
                f"- {where}.dedup_window: must be seconds or a duration like 10m"
            )
        else:
            out.append(
                VarSpec(
                    name=WINDOW_VAR + trigger,
                    value=f"{window:g}",
                    description="webhook dedup window (s)",
                )
            )
    return out
