"""Published store values: `GET /store/<project_id>/<key>` returns the value as JSON.

400 for a malformed project ID, 404 unless the key exists and was published
with `autokitteh.publish_value(key)`; no auth, as upstream.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from akcli.ids import is_id
from akcli.server.state import Server


def public_route(server: Server) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        project_id = request.path_params["project_id"]
        key = request.path_params["key"]
        if not is_id(project_id, "prj"):
            return PlainTextResponse("invalid project id\n", status_code=400)
        row = server.store.values.published(project_id, key)
        if row is None:
            return PlainTextResponse("Not Found\n", status_code=404)
        return Response(json.dumps(row.value) + "\n", media_type="application/json")

    return endpoint
