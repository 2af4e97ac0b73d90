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

from akcli.store.interface.builds import BuildsPart
from akcli.store.interface.connections import ConnectionsPart
from akcli.store.interface.dedup import DedupPart
from akcli.store.interface.deployments import DeploymentsPart
from akcli.store.interface.events import EventsPart
from akcli.store.interface.journal import JournalPart
from akcli.store.interface.logs import LogsPart
from akcli.store.interface.outcomes import OutcomesPart
from akcli.store.interface.prints import PrintsPart
from akcli.store.interface.projects import ProjectsPart
from akcli.store.interface.sessions import SessionsPart
from akcli.store.interface.signals import SignalsPart
from akcli.store.interface.subscriptions import SubscriptionsPart
from akcli.store.interface.triggers import TriggersPart
from akcli.store.interface.values import ValuesPart
from akcli.store.interface.vars import VarsPart
from akcli.store.interface.waits import WaitsPart
from akcli.store.interface.workers import WorkersPart


class Store(Protocol):
    # Read-only properties, so a backend's own part classes satisfy them.
    @property
    def builds(self) -> BuildsPart: ...
    @property
    def connections(self) -> ConnectionsPart: ...
    @property
    def dedup(self) -> DedupPart: ...
    @property
    def deployments(self) -> DeploymentsPart: ...
    @property
    def events(self) -> EventsPart: ...
    @property
    def journal(self) -> JournalPart: ...
    @property
    def logs(self) -> LogsPart: ...
    @property
    def outcomes(self) -> OutcomesPart: ...
    @property
    def prints(self) -> PrintsPart: ...
    @property
    def projects(self) -> ProjectsPart: ...
    @property
    def sessions(self) -> SessionsPart: ...
    @property
    def signals(self) -> SignalsPart: ...
    @property
    def subscriptions(self) -> SubscriptionsPart: ...
    @property
    def triggers(self) -> TriggersPart: ...
    @property
    def values(self) -> ValuesPart: ...
    @property
    def vars(self) -> VarsPart: ...
    @property
    def waits(self) -> WaitsPart: ...
    @property
    def workers(self) -> WorkersPart: ...

    def tx(self) -> AbstractContextManager[object]:
        """A write transaction; nested calls join the outer one."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """Inside tx(): a part that is undone alone if it raises."""
        ...

    def close(self) -> None: ...
