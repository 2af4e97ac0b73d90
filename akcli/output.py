"""Renderers shared by every command: text, `-j` JSON Lines, `-J` indented JSON.

Objects follow protobuf-JSON conventions (snake_case, defaults omitted, enums by
name); text mode prints them in protobuf text format on one line, as upstream.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import typer

_ENUM_RE = re.compile(
    r"^(SESSION_STATE_TYPE|DEPLOYMENT_STATE|SOURCE_TYPE|BUILD_STATUS|CODE)_[A-Z0-9_]+$"
)


def _quote(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def pb_text(obj: Any) -> str:
    """Render a JSON-like object in protobuf text format, single-spaced."""
    if isinstance(obj, dict):
        parts: list[str] = []
        for k, v in obj.items():
            if isinstance(v, list):
                parts.extend(f"{k}:{pb_text(item)}" for item in v)
            elif isinstance(v, dict):
                parts.append(f"{k}:{{{pb_text(v)}}}")
            else:
                parts.append(f"{k}:{pb_text(v)}")
        return " ".join(parts)
    if isinstance(obj, bool):
        return "true" if obj else "false"
    if isinstance(obj, str):
        return obj if _ENUM_RE.match(obj) else _quote(obj)
    if obj is None:
        return ""
    if isinstance(obj, list):
        return " ".join(pb_text(i) for i in obj)
    return str(obj)


def prune(obj: Any) -> Any:
    """Drop protobuf-JSON default values (None, "", 0, False, {}, [])."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            v = prune(v)
            if v in (None, "", 0, False, {}, []) and not isinstance(v, float):
                continue
            out[k] = v
        return out
    if isinstance(obj, list):
        return [prune(v) for v in obj]
    return obj


@dataclass
class Renderer:
    """How this invocation prints data (from the global -j/-J flags)."""

    json: bool = False
    nice: bool = False
    array: bool = False
    _echo: Any = field(default=typer.echo, repr=False)

    @property
    def is_json(self) -> bool:
        return self.json or self.nice

    def _dump(self, obj: Any) -> str:
        if self.nice:
            return json.dumps(obj, indent=2, ensure_ascii=False)
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)

    def text(self, line: str) -> None:
        """A plain line (empty strings print nothing)."""
        if line:
            self._echo(line)

    def value(self, key: str, value: Any) -> None:
        """A create-style result: `key: value` / `{"key": value}`."""
        if self.is_json:
            self._echo(self._dump({key: value}))
        else:
            self._echo(f"{key}: {value}")

    def obj(self, key: str, obj: dict[str, Any] | None) -> None:
        """A get-style result: `key: <pb text>` / `{"key": {...}}`."""
        if obj is None:
            return
        obj = prune(obj)
        if self.is_json:
            self._echo(self._dump({key: obj}))
        elif obj:
            self._echo(f"{key}: {pb_text(obj)}")

    def items(self, objs: Iterable[dict[str, Any]], text: Any = None) -> None:
        """A list: one item per line; `--array_json_list` with -j: one array."""
        objs = [prune(o) for o in objs]
        if self.json and self.array:
            self._echo(self._dump(objs))
            return
        for o in objs:
            if self.is_json:
                self._echo(self._dump(o))
            else:
                self._echo(text(o) if text else pb_text(o))

    def raw_items(self, objs: Iterable[Any]) -> None:
        """A list of JSON values as they are (no pruning): one per line, or one
        array with `--array_json_list` and -j."""
        objs = list(objs)
        if self.json and self.array:
            self._echo(self._dump(objs))
            return
        for o in objs:
            self.raw(o)

    def next_page(self, token: str) -> None:
        """A list's next-page token: a final `next-page-token: <tok>` line; with
        -j/-J on stderr, so stdout stays pure JSON Lines (or one array)."""
        if not token:
            return
        if self.is_json:
            typer.echo(f"next-page-token: {token}", err=True)
        else:
            self._echo(f"next-page-token: {token}")

    def raw(self, obj: Any) -> None:
        """Any JSON value; in text mode indented JSON (no text form)."""
        if self.json:
            self._echo(self._dump(obj))
        else:
            self._echo(json.dumps(obj, indent=2, ensure_ascii=False))
