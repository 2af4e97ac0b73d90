"""`/webhooks/<slug>[/<suffix>]`: an HTTP request becomes a stored event (cli.md §6.1).

The event row is committed before the 202 is sent (design.md, "Durable
execution"): dispatch works from the stored event, so a crash after the answer
loses nothing. Sync triggers wait for the session's outcome instead.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.parse
from collections.abc import AsyncIterator, Iterable
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from akcli.engine.dispatch import dispatch_now, id_uuid, insert_event
from akcli.jsonlimit import loads_limited
from akcli.server import dedup
from akcli.server.http_limits import BodyTimeout, BodyTooLarge, read_body
from akcli.server.state import Server
from akcli.store.errors import StoreError
from akcli.store.interface.triggers import TriggerRow

log = logging.getLogger("ak.webhooks")

_FORM_METHODS = ("POST", "PUT", "PATCH")
_FORM_TYPE = "application/x-www-form-urlencoded"
NO_SESSION = "No sessions were started or signaled for sync webhook"


def canonical_header(name: str) -> str:
    """Go's CanonicalMIMEHeaderKey: `content-type` -> `Content-Type`."""
    return "-".join(p[:1].upper() + p[1:].lower() for p in name.split("-"))


def _joined(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return {k: ", ".join(vs) for k, vs in out.items()}


def build_event_data(
    *,
    method: str,
    raw_url: str,
    path: str,
    path_suffix: str,
    query_string: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
) -> dict[str, Any]:
    """The event data of a webhook request, exactly as §6.1 lists it."""
    hdrs = _joined((canonical_header(k), v) for k, v in headers)
    text: str | None = None
    if body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    form: dict[str, str] | None = None
    ctype = hdrs.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if method.upper() in _FORM_METHODS and ctype == _FORM_TYPE:
        form = _joined(
            urllib.parse.parse_qsl(
                body.decode("utf-8", "replace"), keep_blank_values=True
            )
        )
    parsed: Any = None
    if text is not None:
        try:  # too deeply nested: kept as bytes/text only, never lost
            parsed = loads_limited(body)
        except ValueError:
            parsed = None
    return {
        "method": method,
        "raw_url": raw_url,
        "url": {
            "path": path,
            "query": _joined(
                urllib.parse.parse_qsl(query_string, keep_blank_values=True)
            ),
            "path_suffix": path_suffix,
        },
        "headers": hdrs,
        "trailers": {},
        "body": {
            "bytes": base64.b64encode(body).decode() if body else None,
            "text": text,
            "form": form,
            "json": parsed,
        },
    }


def _too_large(n: int, limit: int) -> Response:
    return PlainTextResponse(
        f"Request Entity Too Large ({n}>{limit} bytes)", status_code=413
    )


async def handle_webhook(srv: Server, request: Request) -> Response:
    slug = str(request.path_params["slug"])
    suffix = str(request.path_params.get("suffix", ""))
    trigger = srv.store.triggers.live_webhook(slug)
    if trigger is None:
        return PlainTextResponse("Not Found", status_code=404)

    limit = srv.config.get_int("webhooks.max_body_size")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        return _too_large(int(length), limit)
    try:
        body = await read_body(
            request, limit, srv.config.get_duration("http.read_timeout")
        )
    except BodyTooLarge as e:
        return _too_large(e.size, limit)
    except BodyTimeout:
        return PlainTextResponse("Request Timeout", status_code=408)
    except ClientDisconnect:
        return Response(status_code=499)

    query = request.scope.get("query_string", b"").decode("latin-1")
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    raw_url = raw_path.decode("latin-1") + (f"?{query}" if query else "")
    data = build_event_data(
        method=request.method,
        raw_url=raw_url,
        path=request.url.path,
        path_suffix=suffix,
        query_string=query,
        headers=request.headers.items(),
        body=body,
    )
    client = request.client
    memo = {
        "method": request.method,
        "webhook_slug": slug,
        "remote_addr": f"{client.host}:{client.port}" if client else "",
        "trigger_id": trigger.trigger_id,
        "trigger_uuid": id_uuid(trigger.trigger_id),
    }
    tid = trigger.trigger_id
    key = dedup.delivery_key(srv, trigger, request.headers, body)
    first = None if key is None else dedup.first_event(srv, tid, *key)
    if first is not None:  # a retried delivery: answer like the first
        log.info("webhook %s: delivery %s already stored as %s", slug, key, first)
        return await _answer(srv, trigger, first)
    try:
        # The event, its delivery key and (no filter) its sessions: one commit.
        with srv.store.tx():
            event_id = insert_event(
                srv,
                destination_id=tid,
                project_id=trigger.project_id,
                event_type=request.method.lower(),
                data=data,
                memo=memo,
            )
            if key is not None:
                dedup.remember(srv, tid, key[0], event_id)
            if not trigger.filter:
                dispatch_now(srv, event_id)
        # committed: from here on the event survives a crash
    except StoreError:
        log.exception("webhook %s: storing the event failed", slug)
        return PlainTextResponse("Internal Server Error", status_code=500)
    srv.engine.kick()
    if not trigger.filter:
        srv.engine.start_now()
    return await _answer(srv, trigger, event_id)


async def _answer(srv: Server, trigger: TriggerRow, event_id: str) -> Response:
    """202 with the event ID, or a sync webhook's (stored) outcome."""
    headers = {"AutoKitteh-Event-ID": event_id, "Cache-Control": "no-cache"}
    if trigger.is_sync:
        return await _sync_response(srv, event_id, headers)
    return Response(status_code=202, headers=headers)


async def _sync_response(
    srv: Server, event_id: str, headers: dict[str, str]
) -> Response:
    """Answer with the session's first outcome; `more` streams later ones."""
    from akcli.engine import outcomes

    timeout = srv.config.get_duration("webhooks.webhook_response_timeout")
    stream = outcomes.wait_outcomes(srv, event_id, timeout)
    try:
        first = await anext(stream)
    except outcomes.NoSession:
        return PlainTextResponse(NO_SESSION, status_code=502)
    except (TimeoutError, StopAsyncIteration):
        return Response(status_code=504)
    status, extra, chunk, more = _outcome_parts(first)
    headers = {**headers, **extra, "Connection": "keep-alive"}
    if not more:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()
        return Response(chunk, status_code=status, headers=headers)

    async def rest() -> AsyncIterator[bytes]:
        yield chunk
        try:
            async for value in stream:
                yield _outcome_parts(value)[2]
        except TimeoutError:
            return

    return StreamingResponse(rest(), status_code=status, headers=headers)


def _outcome_parts(value: Any) -> tuple[int, dict[str, str], bytes, bool]:
    """(status, headers, body chunk, more) of one outcome value."""
    if not isinstance(value, dict) or "status_code" not in value:
        value = {"json": value}
    status = int(value.get("status_code") or 200)
    headers = {str(k): str(v) for k, v in (value.get("headers") or {}).items()}
    body: Any = value.get("body")
    chunk = b""
    has_json = value.get("json") is not None
    if has_json:
        chunk = (json.dumps(value["json"]) + "\n").encode()
    elif isinstance(body, str):
        chunk = body.encode()
    elif isinstance(body, dict) and set(body) == {"bytes"}:
        chunk = base64.b64decode(str(body["bytes"]))
    elif isinstance(body, dict | list):
        chunk = (json.dumps(body) + "\n").encode()
        has_json = True
    if has_json and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/json"
    return status, headers, chunk, bool(value.get("more"))
