"""What every integration receiver shares: body limits, lookups, storing events.

An integration event is stored with `destination_id` = the connection ID, so the
dispatcher hands it to every trigger on the connection and to `subscribe()`rs.
A delivery ID (the provider's, e.g. `X-GitHub-Delivery`) is stored in the same
transaction as its events: a retried delivery finds it and starts nothing new.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response

from akcli.server.state import Server
from akcli.store.db import now
from akcli.store.errors import StoreError
from akcli.store.interface.connections import ConnectionRow

log = logging.getLogger("ak.receivers")

UNAUTHORIZED = "Unauthorized"


class Reject(Exception):
    """Answer the request with `status` and store nothing."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text

    def response(self) -> Response:
        return PlainTextResponse(self.text, status_code=self.status)


@dataclass(frozen=True)
class Conn:
    row: ConnectionRow
    vals: dict[str, str]

    @property
    def id(self) -> str:
        return self.row.connection_id


async def read_body(srv: Server, request: Request) -> bytes:
    limit = srv.config.get_int("webhooks.max_body_size")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Reject(413, f"Request Entity Too Large ({size}>{limit} bytes)")
            chunks.append(chunk)
    except ClientDisconnect:
        raise Reject(499, "client disconnected") from None
    return b"".join(chunks)


def connections(srv: Server, integration: str) -> list[Conn]:
    """Every connection of an integration, with its vars in plaintext."""
    from akcli.server.services.connections import values

    rows = srv.store.connections.of_integration(integration)
    return [Conn(r, values(srv, r.connection_id)) for r in rows]


def signed_by(
    srv: Server, integration: str, sig: str, body: bytes, prefix: str = ""
) -> list[Conn]:
    """The connections whose `webhook_secret` signs ``body`` as ``sig``
    (``prefix`` + hex HMAC-SHA256); none is a 401, and nothing is stored."""
    conns = [
        c
        for c in connections(srv, integration)
        if sig
        and c.vals.get("webhook_secret")
        and same(sig, prefix + hmac_hex(c.vals["webhook_secret"], body))
    ]
    if not conns:
        raise Reject(401, UNAUTHORIZED)
    return conns


def hmac_hex(secret: str, data: bytes, algo: str = "sha256") -> str:
    return hmac.new(secret.encode(), data, getattr(hashlib, algo)).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def store(
    srv: Server,
    conn: Conn,
    events: list[tuple[str, dict[str, Any]]],
    delivery_id: str = "",
) -> tuple[list[str], bool]:
    """Commit the events of one delivery; `(event IDs, was a retry)`."""
    pid = conn.row.project_id
    memo = {
        "connection_id": conn.id,
        "connection_name": conn.row.name,
        "integration": conn.row.integration,
    }
    if delivery_id:
        memo["delivery_id"] = delivery_id
    # The events and the delivery ID commit together (or not at all).
    with srv.store.tx():
        if delivery_id:
            seen = srv.store.dedup.delivery_events(conn.id, delivery_id)
            if seen is not None:
                return seen, True
        ids = []
        ts = now()
        for event_type, data in events:
            event_id = srv.ids.new("evt")
            srv.store.events.add(
                event_id=event_id,
                destination_id=conn.id,
                project_id=pid,
                event_type=event_type,
                data=data,
                memo=memo,
                created_at=ts,
            )
            ids.append(event_id)
        if delivery_id:
            srv.store.dedup.add_delivery(conn.id, delivery_id, ids, ts)
    srv.engine.kick()
    return ids, False


def store_all(
    srv: Server,
    conns: list[Conn],
    events: list[tuple[str, dict[str, Any]]],
    delivery_id: str = "",
) -> Response | None:
    """Store for each connection; a store failure is a 500 (the provider retries)."""
    try:
        for c in conns:
            ids, retry = store(srv, c, events, delivery_id)
            if retry:
                log.info("connection %s: delivery %s already stored", c.id, delivery_id)
    except StoreError:
        log.exception("storing an integration event failed")
        return PlainTextResponse("Internal Server Error", status_code=500)
    return None
