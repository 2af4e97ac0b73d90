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


@dataclass(frozen=True, slots=True)
class ConnectionTriggerRow:
    """A trigger on a connection, with the connection's name."""

    trigger: TriggerRow
    connection_name: str


@dataclass(frozen=True, slots=True)
class ScheduledTriggerRow:
    """A trigger with its `schedule_state` (None: never seen by the scheduler)."""

    trigger: TriggerRow
    last_fire: str | None


class TriggersPart(Protocol):
    """Methods are added here as the SQL moves into the store."""

    def get(self, trigger_id: str) -> TriggerRow | None: ...

    def on_connection(self, connection_id: str) -> list[ConnectionTriggerRow]:
        """The connection's triggers, oldest first."""
        ...

    def with_webhook(self, project_id: str) -> list[TriggerRow]:
        """The project's triggers that have a webhook slug."""
        ...

    def with_last_fire(self, source_type: str) -> list[ScheduledTriggerRow]:
        """Triggers of ``source_type`` (schedules), oldest first."""
        ...

    def move_last_fire(self, trigger_id: str, old: str | None, new: str) -> bool:
        """Compare-and-set `last_fire` from ``old`` (None: no row yet) to
        ``new``; False if another worker moved it first (it fired that tick)."""
        ...

    def set_last_fire(self, trigger_id: str, last_fire: str) -> None:
        """Insert or move the trigger's `schedule_state`."""
        ...

    def live_webhook(self, slug: str) -> TriggerRow | None:
        """The trigger of a webhook slug, if its project has an ACTIVE deployment."""
        ...

    def by_name(self, project_id: str, name: str) -> TriggerRow | None: ...

    def create(self, row: TriggerRow) -> None:
        """Insert a trigger, every column from ``row``."""
        ...

    def update(self, row: TriggerRow) -> None:
        """Store ``row``'s name, event type, filter, code location, flags,
        schedule, time zone and updated_at (ID, project, source type, slug,
        connection and created_at stay)."""
        ...

    def clear_last_fire(self, trigger_id: str) -> None:
        """Forget the schedule's last fire time (a changed schedule starts afresh)."""
        ...

    def for_project(self, project_id: str) -> list[TriggerRow]:
        """The project's triggers, oldest first."""
        ...

    def list_all(self) -> list[TriggerRow]:
        """Every trigger, oldest first."""
        ...

    def with_code(self, project_id: str) -> list[TriggerRow]:
        """The project's triggers that call code, by name."""
        ...

    def delete(self, trigger_id: str) -> None:
        """Delete the trigger (its schedule_state goes by ON DELETE CASCADE)."""
        ...

    def delete_on_connection(self, connection_id: str) -> None: ...
