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
