"""HTTP receivers of integration events, at upstream's paths (no auth: signed)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from akcli.server.state import Server


def routes(server: Server) -> list[Route]:
    from akcli.server.receivers import github, others, slack

    def bind(
        fn: Callable[[Server, Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await fn(server, request)

        return endpoint

    post = ["POST"]
    return [
        Route("/slack/event", bind(slack.handle), methods=post),
        Route("/slack/command", bind(slack.handle), methods=post),
        Route("/slack/interaction", bind(slack.handle), methods=post),
        Route("/github/webhook", bind(github.handle), methods=post),
        Route("/github/webhook/{key}", bind(github.handle), methods=post),
        Route("/jira/webhook", bind(others.jira), methods=post),
        Route("/linear/event", bind(others.linear), methods=post),
        Route("/telegram/webhook/{id}", bind(others.telegram), methods=post),
        Route("/twilio/message", bind(others.twilio), methods=post),
    ]
