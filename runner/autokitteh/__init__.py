"""autokitteh: the SDK for durable workflows run by ``ak``.

API-compatible with the upstream AutoKitteh Python SDK (core parts). Standard
library only. Functions that need the server reach it through the runner; outside
a runner they use local fallbacks (see each function).
"""

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
    Event,
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
from ._retry_errors import ActivityTimeout, RetriesExhausted
from ._signals import Signal, next_signal, signal
from ._store import (
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
    "activity",
    "add_values",
    "check_and_set_value",
    "del_value",
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
    "publish_value",
    "register_no_activity",
    "set_value",
    "signal",
    "sleep",
    "start",
    "store",
    "subscribe",
    "unpublish_value",
    "unsubscribe",
]
