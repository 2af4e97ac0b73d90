"""The RPC registry: `POST /autokitteh.<svc>.v1.<Svc>/<Method>` -> a handler.

Handlers take `(server, body)` and return a JSON-able dict (sync or async).
`AkError`s become `{"code", "message"}` bodies with a matching HTTP status, which
the client turns back into the same error (and exit code).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from akcli.errors import AkError, BadRequest, NotFound
from akcli.ids import is_id
from akcli.store.errors import StoreOperationalError

if TYPE_CHECKING:
    from akcli.server.state import Server

Handler = Callable[
    ["Server", dict[str, Any]], "dict[str, Any] | Awaitable[dict[str, Any]]"
]

T = TypeVar("T")

HANDLERS: dict[tuple[str, str], Handler] = {}
log = logging.getLogger("ak.rpc")

HTTP_STATUS = {
    "invalid_argument": 400,
    "unauthenticated": 401,
    "permission_denied": 403,
    "not_found": 404,
    "already_exists": 409,
    "conflict": 409,
    "failed_precondition": 412,
    "resource_exhausted": 429,
    "unknown": 500,
}


def rpc(service: str, method: str) -> Callable[[Handler], Handler]:
    """Register a handler for `/autokitteh.<service>.v1.<Service>Service/<method>`."""

    def register(fn: Handler) -> Handler:
        HANDLERS[(service, method)] = fn
        return fn

    return register


def route_key(path: str) -> tuple[str, str] | None:
    """`/autokitteh.projects.v1.ProjectsService/Create` -> ("projects", "Create")."""
    head, _, method = path.strip("/").partition("/")
    parts = head.split(".")
    if len(parts) != 4 or parts[0] != "autokitteh" or parts[2] != "v1":
        return None
    return parts[1], method


async def call(
    server: Server, key: tuple[str, str], body: Any
) -> tuple[int, dict[str, Any]]:
    handler = HANDLERS.get(key)
    if handler is None:
        return 404, {
            "code": "not_found",
            "message": f"unknown method {key[0]}.{key[1]}",
        }
    if not isinstance(body, dict):
        return 400, {
            "code": "invalid_argument",
            "message": "request body must be a JSON object",
        }
    try:
        result = handler(server, body)
        if inspect.isawaitable(result):
            result = await result
    except AkError as e:
        return HTTP_STATUS.get(e.code, 500), {"code": e.code, "message": str(e)}
    except StoreOperationalError as e:
        # e.g. "database or disk is full": say what failed, not a bare 500.
        log.exception("RPC %s.%s failed", *key)
        return 500, {
            "code": "unknown",
            "message": f"{key[0]}.{key[1]}: store error: {e}",
        }
    except Exception as e:  # noqa: BLE001 - a handler bug must still answer in one line
        log.exception("RPC %s.%s failed", *key)
        return 500, {
            "code": "unknown",
            "message": f"{key[0]}.{key[1]}: internal error: {e!r}",
        }
    return 200, result


def by_id(kind: str, prefix: str, value: str, get: Callable[[str], T | None]) -> T:
    """The typed row ``get(value)`` of the `<kind>` whose ID is ``value``: a
    malformed ID is BadRequest (rc 40), a missing one NotFound (rc 44), as
    upstream words them."""
    if not is_id(value, prefix):
        raise BadRequest(f'invalid {kind} ID "{value}"')
    row = get(value)
    if row is None:
        raise NotFound(f'{kind} ID "{value}" not found')
    return row


def req_str(body: dict[str, Any], key: str, what: str | None = None) -> str:
    """A required string field of a request body."""
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"missing {what or key}")
    return value
