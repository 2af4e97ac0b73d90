"""The web UI served by `ak up` at `/` (server-rendered; see web.py for auth).

Imported only by the server (akcli/server/app.py), never at CLI start.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from akcli.server.state import Server
from akcli.server.ui import projects, sessions, web

STATIC = {
    "ui.css": "text/css",
    "ui.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        return PlainTextResponse("Not Found\n", status_code=404)
    return FileResponse(
        web.HERE / "static" / name,
        media_type=STATIC[name],
        headers={"Cache-Control": "max-age=300"},
    )


def routes(srv: Server) -> list[Route]:
    web.ui_token(srv)  # stored now, so `ak ui` finds it before any page is seen

    def page(fn: web.Handler, path: str, post: bool = False) -> Route:
        return Route(path, web.page(srv, fn), methods=["POST"] if post else ["GET"])

    async def login(request: Request) -> Response:
        return await web.login(srv, request)

    return [
        Route("/ui/static/{name}", static),
        Route("/ui/login", login, methods=["POST"]),
        page(sessions.sessions_list, "/"),
        page(sessions.sessions_list, "/ui/sessions"),
        page(sessions.session_page, "/ui/sessions/{session_id}"),
        page(sessions.download_log, "/ui/sessions/{session_id}/log"),
        page(sessions.stop, "/ui/sessions/{session_id}/stop", post=True),
        page(sessions.restart, "/ui/sessions/{session_id}/restart", post=True),
        page(projects.projects_page, "/ui/projects"),
        page(projects.project_page, "/ui/projects/{project}"),
        page(projects.events_page, "/ui/events"),
        page(projects.event_page, "/ui/events/{event_id}"),
        page(projects.redispatch, "/ui/events/{event_id}/redispatch", post=True),
        page(projects.test_request, "/ui/triggers/{trigger_id}/test", post=True),
    ]
