"""autokitteh: the SDK for durable workflows run by ``ak``.

API-compatible with the upstream AutoKitteh Python SDK (core parts). Standard
library only. Functions that need the server reach it through the runner; outside
a runner they use local fallbacks (see each function).

Submodules as upstream's: ``activities``, ``attr_dict``, ``event``, ``events``,
``outcomes``, ``signals``, ``store`` (``autokitteh.store`` the attribute is the
store object, ``autokitteh.store`` the module has ``Store`` and ``Op``),
``triggers`` and ``packages`` (imported on demand).
"""

from . import activities, attr_dict, event, events, outcomes, signals, triggers
from ._activity import activity, inhibit_activities, register_no_activity
from ._attrdict import AttrDict
from ._errors import (
    AtlassianOAuthError,
    AuthenticationError,
    AutoKittehError,
    ConnectionInitError,
    EnvVarError,
    OAuthRefreshError,
)
from ._events import (
    get_store_public_url,
    get_webhook_url,
    is_deployment_active,
    next_event,
    sleep,
    start,
    subscribe,
    unsubscribe,
)
from ._outcomes import http_outcome, outcome
from ._parallel import gather, parallel_map
from ._retry import ActivityOptions, RetryPolicy
from ._signals import Signal, next_signal, signal
from .errors import ActivityTimeout, RetriesExhausted
from .event import Event
from .store import (
    Op,
    Store,
    add_values,
    check_and_set_value,
    del_value,
    get_value,
    list_values_keys,
    mutate_value,
    publish_value,
    set_value,
    store,
    unpublish_value,
)

__all__ = [
    "ActivityOptions",
    "ActivityTimeout",
    "RetriesExhausted",
    "RetryPolicy",
    "gather",
    "parallel_map",
    "AtlassianOAuthError",
    "AttrDict",
    "AuthenticationError",
    "AutoKittehError",
    "ConnectionInitError",
    "EnvVarError",
    "Event",
    "OAuthRefreshError",
    "Op",
    "Signal",
    "Store",
    "activities",
    "activity",
    "add_values",
    "attr_dict",
    "check_and_set_value",
    "del_value",
    "event",
    "events",
    "get_store_public_url",
    "get_value",
    "get_webhook_url",
    "http_outcome",
    "inhibit_activities",
    "is_deployment_active",
    "list_values_keys",
    "mutate_value",
    "next_event",
    "next_signal",
    "outcome",
    "outcomes",
    "publish_value",
    "register_no_activity",
    "set_value",
    "signal",
    "signals",
    "sleep",
    "start",
    "store",
    "subscribe",
    "triggers",
    "unpublish_value",
    "unsubscribe",
]
