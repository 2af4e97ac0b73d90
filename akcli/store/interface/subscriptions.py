"""Event subscriptions of running sessions (`subscriptions`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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
