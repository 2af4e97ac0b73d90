"""The HTTP surface of `ak up`: RPC, webhooks, /store, health.

Everything runs on one asyncio loop, which also owns the SQLite connection.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from akcli import __version__
from akcli.jsonlimit import loads_limited
from akcli.server import receivers, rpc, sources, wire
from akcli.server.auth import authorized, unauthenticated
from akcli.server.http_limits import BodyTimeout, BodyTooLarge, read_body
from akcli.server.services import load_all, store
from akcli.server.state import Server

MAX_RPC_BODY = 64 * 1024 * 1024  # project uploads travel as RPC bodies


def build_app(server: Server) -> Starlette:
    load_all()
    started = time.time()
    read_timeout = server.config.get_duration("http.read_timeout")
    ready = {"ok": False}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await server.engine.start()
        # Slack Socket Mode, Discord gateway
        server.extras["event_sources"] = sources.EventSources(server)
        await server.extras["event_sources"].start()
        ready["ok"] = True
        try:
            yield
        finally:
            ready["ok"] = False
            if "event_sources" in server.extras:
                await server.extras.pop("event_sources").stop()
            await server.engine.shutdown()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        if ready["ok"]:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "starting"}, status_code=503)

    async def version(request: Request) -> Response:
        return JSONResponse(__version__)

    async def uptime(request: Request) -> Response:
        secs = time.time() - started
        return JSONResponse({"text": f"{secs:.0f}s", "seconds": secs})

    async def rpc_route(request: Request) -> Response:
        if not authorized(server, request, cookie=False):
            return unauthenticated()
        key = rpc.route_key(request.url.path)
        if key is None:
            return JSONResponse({"code": "not_found", "message": "no such RPC"}, 404)
        try:
            raw = await read_body(request, MAX_RPC_BODY, read_timeout)
        except BodyTooLarge:
            return JSONResponse(
                {"code": "resource_exhausted", "message": "request too large"}, 413
            )
        except BodyTimeout:
            return JSONResponse(
                {"code": "invalid_argument", "message": "request body timed out"}, 408
            )
        except ClientDisconnect:
            return Response(status_code=499)
        try:
            body: Any = loads_limited(raw) if raw else {}
        except ValueError as e:
            return JSONResponse(
                {"code": "invalid_argument", "message": f"bad JSON: {e}"}, 400
            )
        camel = isinstance(body, dict) and wire.is_camel(body)
        if camel:
            body = wire.to_snake(body)
        status, result = await rpc.call(server, key, body)
        if camel and status == 200:
            result = wire.to_camel(result)
        return JSONResponse(result, status_code=status)

    async def webhook(request: Request) -> Response:
        from akcli.server.webhooks import handle_webhook

        return await handle_webhook(server, request)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/internal/healthz", healthz),
        Route("/internal/readyz", readyz),
        Route("/version", version),
        Route("/internal/version", version),
        Route("/internal/uptime", uptime),
        Route("/webhooks/{slug}", webhook, methods=methods),
        Route("/webhooks/{slug}/{suffix:path}", webhook, methods=methods),
        Route("/autokitteh.{svc}/{method}", rpc_route, methods=["POST"]),
    ]
    routes += receivers.routes(server)  # integration events (Slack, GitHub, ...)
    # published store values (GET /store/<project>/<key>)
    routes.append(Route("/store/{project_id}/{key:path}", store.public_route(server)))
    from akcli.server.ui import routes as ui_routes

    routes += ui_routes(server)  # the web UI at / (akcli/server/ui)
    return Starlette(routes=routes, lifespan=lifespan)
