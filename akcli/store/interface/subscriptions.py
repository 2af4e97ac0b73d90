"""Event subscriptions of running sessions (`subscriptions`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from akcli.store.interface.events import EventRow


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    """A row of `subscriptions`."""

    subscription_id: str
    session_id: str
    destination_id: str
    filter: str
    cursor: int
    active: bool


class SubscriptionsPart(Protocol):
    """Methods are added here as the SQL moves into the store."""

    def add(
        self,
        subscription_id: str,
        session_id: str,
        destination_id: str,
        filter: str,
        cursor: int,
    ) -> None:
        """An active subscription whose next event is the first after ``cursor``."""
        ...

    def get(self, subscription_id: str, session_id: str) -> SubscriptionRow | None:
        """The subscription if it is the session's (active or not)."""
        ...

    def set_cursor(self, subscription_id: str, cursor: int) -> None: ...

    def deactivate(self, subscription_id: str, session_id: str) -> None:
        """Unsubscribe (only the session's own subscription)."""
        ...

    def events_of_running(
        self, after_seq: int, limit: int
    ) -> list[tuple[SubscriptionRow, EventRow]]:
        """Events after ``after_seq`` (oldest first) with each active
        subscription of a RUNNING durable session they are new to (past its
        cursor): those engine temporal delivers to workflows."""
        ...
