"""Deliveries already accepted: integration deliveries (`deliveries`) and
webhook deliveries (`webhook_deliveries`), so a retried one is not an event twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """A row of `deliveries`."""

    connection_id: str
    delivery_id: str
    event_ids: Any
    created_at: str


@dataclass(frozen=True, slots=True)
class WebhookDeliveryRow:
    """A row of `webhook_deliveries`."""

    trigger_id: str
    delivery: str
    event_id: str
    created_at: float


class DedupPart(Protocol):
    """Methods are added here as the SQL moves into the store."""

    def delivery_events(self, connection_id: str, delivery_id: str) -> list[str] | None:
        """The event IDs stored for a connection's delivery; None if unseen."""
        ...

    def add_delivery(
        self, connection_id: str, delivery_id: str, event_ids: list[str], t: str
    ) -> None: ...

    def webhook_event(self, trigger_id: str, delivery: str, since: float) -> str | None:
        """The event ID of the trigger's delivery stored at unix time >= ``since``."""
        ...

    def remember_webhook(
        self,
        trigger_id: str,
        delivery: str,
        event_id: str,
        t: float,
        drop_before: float,
    ) -> None:
        """Store (or replace) a webhook delivery at unix time ``t``; drop every
        delivery older than ``drop_before``."""
        ...
