"""TypeIDs: `<prefix>_<26 chars of Crockford base32>` from UUIDv7, as upstream.

In test mode a single counter shared by all kinds replaces the UUIDs, so ID n is
the prefix followed by n in base32, zero-padded (cli.md §4.2).
"""

from __future__ import annotations

import os
import re
import time

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_SUFFIX_RE = re.compile(rf"^[0-7][{ALPHABET}]{{25}}$")


def encode(n: int) -> str:
    """128-bit integer -> 26 base32 characters."""
    out = []
    for _ in range(26):
        out.append(ALPHABET[n & 31])
        n >>= 5
    return "".join(reversed(out))


def uuid7_int() -> int:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    n = (ms & ((1 << 48) - 1)) << 80
    n |= 0x7 << 76  # version 7
    n |= ((rand >> 62) & 0xFFF) << 64  # rand_a
    n |= 0b10 << 62  # variant
    n |= rand & ((1 << 62) - 1)  # rand_b
    return n


class IdGen:
    """Mints IDs; `sequential=True` is test mode's shared counter."""

    def __init__(self, sequential: bool = False) -> None:
        self.sequential = sequential
        self._n = 0

    def _suffix(self) -> str:
        if self.sequential:
            self._n += 1
            return encode(self._n)
        return encode(uuid7_int())

    def new(self, prefix: str) -> str:
        return f"{prefix}_{self._suffix()}"

    def slug(self) -> str:
        """Webhook slugs are bare suffixes with no prefix."""
        return self._suffix()


def is_id(text: str, prefix: str) -> bool:
    head, sep, suffix = text.partition("_")
    return bool(sep) and head == prefix and bool(_SUFFIX_RE.match(suffix))


def check_id(text: str, prefix: str, kind: str) -> str:
    """Validate an ID argument; upstream's message on a wrong prefix/shape."""
    from akcli.errors import AkError

    if not is_id(text, prefix):
        raise AkError(f'invalid {kind} ID "{text}": expected a "{prefix}_" TypeID')
    return text
