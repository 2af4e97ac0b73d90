"""`ak session` (alias `ses`): start, list, get, prints, log, watch, stop,
restart, delete, download-logs, test (cli.md §2.7). One module per verb family."""

from __future__ import annotations

from akcli.cli import new_app

app = new_app("Session management")

# The verb modules register their commands on `app` when imported.
from akcli.commands.sessions import (  # noqa: E402
    control,
    query,
    replay,
    start,
    test_cmd,
)

__all__ = ["app", "control", "query", "replay", "start", "test_cmd"]
