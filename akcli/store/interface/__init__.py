"""The store's interface: what the engine and the services may ask of state.

One part per aggregate (sessions, logs, journal, events, ...), each a Protocol
in a module of this package with the typed rows it returns; a backend
(`akcli.store.sqlite`, later PostgreSQL) implements every part, and the
contract tests in tests/store/ hold each backend to it.

Transactions: methods run in the caller's transaction when there is one
(`with store.tx(): ...` joins nested calls into the outer transaction),
else each in its own.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from akcli.store.interface.connections import ConnectionsPart
from akcli.store.interface.logs import LogsPart
from akcli.store.interface.sessions import SessionsPart
from akcli.store.interface.vars import VarsPart


class Store(Protocol):
    # Read-only properties, so a backend's own part classes satisfy them.
    @property
    def connections(self) -> ConnectionsPart: ...
    @property
    def logs(self) -> LogsPart: ...
    @property
    def sessions(self) -> SessionsPart: ...
    @property
    def vars(self) -> VarsPart: ...

    def tx(self) -> AbstractContextManager[object]:
        """A write transaction; nested calls join the outer one."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """Inside tx(): a part that is undone alone if it raises."""
        ...

    def close(self) -> None: ...
