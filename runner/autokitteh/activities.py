"""Activities: ``@activity``, ``inhibit_activities``, ``register_no_activity``."""

from ._activity import (
    ACTIVITY_ATTR,
    activity,
    inhibit_activities,
    register_no_activity,
)
from ._activity import INHIBIT_ATTR as INHIBIT_ACTIVITIES_ATTR

__all__ = [
    "ACTIVITY_ATTR",
    "INHIBIT_ACTIVITIES_ATTR",
    "activity",
    "inhibit_activities",
    "register_no_activity",
]
