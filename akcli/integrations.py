"""The integrations `ak` supports: one registry used by the CLI and the server.

Each integration lists its connection keys (upstream's names, as the SDK helpers
read them from `<conn>__<key>`), which of them are secret, the sets of keys
that make a connection usable (`configured` when one set is complete), the
event types it delivers and where they arrive (HTTP receiver paths or an
outbound event source). Facts: spec/integrations.md.
"""

from __future__ import annotations

from typing import Any

from akcli.errors import NotFound
from akcli.integration_table import INTEGRATIONS
from akcli.integration_types import Integration, Key

# The model and the table are imported from here by the CLI and the server.
__all__ = [
    "INTEGRATIONS",
    "Integration",
    "Key",
    "by_name",
    "connection_hints",
    "find",
    "set_ways",
]

_BY_NAME = {i.unique_name: i for i in INTEGRATIONS}
_BY_ANY = {
    **{a: i for i in INTEGRATIONS for a in i.aliases},
    **{i.display_name.lower(): i for i in INTEGRATIONS},
    **{i.integration_id: i for i in INTEGRATIONS},
    **_BY_NAME,
}


def find(ref: str) -> Integration:
    """An integration by unique name, display name or `int_` ID."""
    found = _BY_ANY.get(ref) or _BY_ANY.get(ref.lower())
    if found is None:
        raise NotFound(f'integration "{ref}" not found')
    return found


def by_name(name: str) -> Integration:
    return _BY_NAME[name]


def set_ways(integ: Integration) -> str:
    """`KEY KEY2=... or KEY3 ...`: secret keys bare (prompted), others with values."""
    return " or ".join(
        " ".join(k if integ.is_secret(k) else f"{k}=..." for k in req)
        for req in integ.required
    )


def connection_hints(conns: list[dict[str, Any]], project: str) -> list[str]:
    """`[!!!!]` lines for connections that still miss keys, with the command."""
    out = []
    for c in conns:
        st = c.get("status") or {}
        if st.get("code") == "CODE_OK":
            continue
        integ = by_name(str(c.get("integration", "")))
        ways = set_ways(integ)
        out.append(
            f'[!!!!] connection "{c["name"]}" ({integ.unique_name}) is not configured'
            f" ({st.get('message', '')}); set its keys with: ak connection set"
            f" {project}/{c['name']} {ways}  (a bare KEY prompts for a hidden value)"
        )
        for url in c.get("webhook_urls") or []:
            out.append(f'[!!!!] connection "{c["name"]}": webhook URL is {url}')
    return out
