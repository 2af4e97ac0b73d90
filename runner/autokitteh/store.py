"""The project's key/value store: ``Store``, ``Op``, the ``store`` object, functions.

``autokitteh.store`` (the attribute) is the ``store`` object, as upstream;
``import autokitteh.store`` / ``from autokitteh.store import Op`` reach this module.
"""

from ._events import get_store_public_url
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
    "Op",
    "Store",
    "add_values",
    "check_and_set_value",
    "del_value",
    "get_store_public_url",
    "get_value",
    "list_values_keys",
    "mutate_value",
    "publish_value",
    "set_value",
    "store",
    "unpublish_value",
]
