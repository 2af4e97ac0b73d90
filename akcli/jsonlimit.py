"""JSON parsing with a nesting guard.

A body nested a thousand levels deep is valid JSON but overflows Python's
recursion wherever it is walked (decoding, encoding, filters, the runner).
`json_depth` measures the nesting without recursing, so such bodies are
refused (RPC: 400) or kept as raw bytes only (webhooks) before anything
recursive touches them.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

MAX_DEPTH = 100

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(raw: bytes) -> int:
    """The deepest `[`/`{` nesting of a JSON text (strings ignored); no recursion."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    if len(brackets) <= 1:
        return len(brackets)
    return max(itertools.accumulate(_STEP[b] for b in brackets))


def loads_limited(raw: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads`, but ValueError for a text nested deeper than `max_depth`."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if json_depth(data) > max_depth:
        raise ValueError(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(data)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise ValueError(f"JSON nested deeper than {max_depth} levels") from None
