"""NUL characters in TEXT: PostgreSQL refuses them, SQLite keeps them.

A print or value may hold "\\0" (binary junk a handler printed). Text params are
written with a reversible escape (U+E000, a private-use character, doubles
itself; NUL becomes U+E000 "0") and text cells read back unescaped, so both
backends store and return the same strings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from psycopg.types.string import (
    StrBinaryDumper,
    StrDumperUnknown,
    TextBinaryLoader,
    TextLoader,
)

if TYPE_CHECKING:
    from psycopg import Connection

_ESC = "\ue000"
_ESC_UTF8 = _ESC.encode()
_ESCAPED = re.compile(_ESC + "(.)", re.DOTALL)


def escape(s: str) -> str:
    if "\x00" not in s and _ESC not in s:
        return s
    return s.replace(_ESC, _ESC + _ESC).replace("\x00", _ESC + "0")


def unescape(s: str) -> str:
    if _ESC not in s:
        return s
    return _ESCAPED.sub(lambda m: "\x00" if m.group(1) == "0" else m.group(1), s)


class _TextDumper(StrDumperUnknown):
    def dump(self, obj: str) -> Any:
        return super().dump(escape(obj))


class _BinaryDumper(StrBinaryDumper):
    def dump(self, obj: str) -> Any:
        return super().dump(escape(obj))


class _TextLoader(TextLoader):
    def load(self, data: Any) -> Any:
        s = super().load(data)  # bytes only on a SQL_ASCII database
        return unescape(s) if isinstance(s, str) and _ESC_UTF8 in bytes(data) else s


class _BinaryTextLoader(TextBinaryLoader):
    def load(self, data: Any) -> Any:
        s = super().load(data)  # bytes only on a SQL_ASCII database
        return unescape(s) if isinstance(s, str) and _ESC_UTF8 in bytes(data) else s


def register(conn: Connection[Any]) -> None:
    conn.adapters.register_dumper(str, _TextDumper)
    conn.adapters.register_dumper(str, _BinaryDumper)
    for oid in ("text", "varchar"):
        conn.adapters.register_loader(oid, _TextLoader)
        conn.adapters.register_loader(oid, _BinaryTextLoader)
