"""Triggers (`triggers`) and the last fire time of schedules (`schedule_state`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class TriggerRow:
    """A row of `triggers`."""

    trigger_id: str
    project_id: str
    name: str
    source_type: str
    event_type: str
    filter: str
    code_path: str
    code_name: str
    is_durable: bool
    is_sync: bool
    schedule: str
    timezone: str
    webhook_slug: str | None
    created_at: str
    updated_at: str
    connection_id: str


@dataclass(frozen=True, slots=True)
class ScheduleStateRow:
    """A row of `schedule_state`."""

    trigger_id: str
    last_fire: str


class TriggersPart(Protocol):
    """Methods are added here as the SQL moves into the store."""

    def live_webhook(self, slug: str) -> TriggerRow | None:
        """The trigger of a webhook slug, if its project has an ACTIVE deployment."""
        ...
