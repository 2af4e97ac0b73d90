"""The web UI's plumbing: templates, login (token -> cookie), CSRF, RPC calls.

The UI follows the API's rule: every page needs the server's token (as
Jupyter does). `/?token=<token>` or the login form sets an HttpOnly,
SameSite=Strict cookie holding an HMAC of the token (never the token itself).
Forms that change something carry a per-server CSRF token, and a request
whose Origin is not this server is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.parse
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from akcli import __version__
from akcli.server import rpc
from akcli.server.state import Server
from akcli.server.ui import timeline

HERE = Path(__file__).parent
COOKIE = "ak_ui"
Handler = Callable[[Server, Request], Awaitable[Response]]


class UiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@cache
def env() -> Environment:
    e = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    e.filters["when"] = timeline.fmt_time
    e.filters["duration"] = timeline.fmt_duration
    e.filters["pretty"] = timeline.pretty_json
    e.filters["first_line"] = timeline.first_line
    e.filters["state"] = lambda s: str(s or "").rsplit("_", 1)[-1].lower()
    e.globals["version"] = __version__
    return e


def ui_token(srv: Server) -> str:
    """The server's API token; on a loopback bind without one, the stored
    `default` token of `<config home>/credentials` (generated if missing)."""
    token = srv.extras.get("ui_token")
    if not token:
        from akcli.server.auth import stored_token

        token = srv.token or stored_token(srv.paths)
        srv.extras["ui_token"] = token
    return str(token)


def _mac(srv: Server, purpose: str) -> str:
    key = ui_token(srv).encode()
    return hmac.new(key, purpose.encode(), hashlib.sha256).hexdigest()


def csrf_token(srv: Server) -> str:
    return _mac(srv, "ak-ui-csrf")


def _same(a: str, b: str) -> bool:
    """Constant-time equality of two strings (any characters)."""
    return hmac.compare_digest(a.encode(), b.encode())


def logged_in(srv: Server, request: Request) -> bool:
    return _same(request.cookies.get(COOKIE, ""), _mac(srv, "ak-ui"))


def token_ok(srv: Server, token: str) -> bool:
    return bool(token) and _same(token, ui_token(srv))


def safe_next(target: str) -> str:
    """Only a path on this server (no `//host`, no scheme) may be redirected to."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_response(srv: Server, target: str) -> Response:
    resp = RedirectResponse(safe_next(target), status_code=303)
    resp.set_cookie(
        COOKIE, _mac(srv, "ak-ui"), httponly=True, samesite="strict", path="/"
    )
    return resp


def same_origin(request: Request) -> bool:
    """A browser sends Origin on POSTs: it must be this server's."""
    origin = request.headers.get("origin")
    if origin is None:  # not a browser: the CSRF token alone decides
        return True
    host = request.headers.get("host", "")
    return urllib.parse.urlsplit(origin).netloc == host


def render(
    srv: Server, request: Request, name: str, status: int = 200, **ctx: Any
) -> HTMLResponse:
    html = (
        env()
        .get_template(name)
        .render(request=request, csrf=csrf_token(srv), path=request.url.path, **ctx)
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        },
    )


def page(srv: Server, fn: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a UI handler: token login, the login form, CSRF on POST, errors."""

    async def endpoint(request: Request) -> Response:
        token = request.query_params.get("token")
        if token is not None:
            if token_ok(srv, token):
                query = [
                    (k, v)
                    for k, v in request.query_params.multi_items()
                    if k != "token"
                ]
                qs = urllib.parse.urlencode(query)
                return login_response(srv, request.url.path + (f"?{qs}" if qs else ""))
            return render(
                srv, request, "login.html", 401, next=request.url.path, bad=True
            )
        if not logged_in(srv, request):
            target = request.url.path + (
                f"?{request.url.query}" if request.url.query else ""
            )
            return render(srv, request, "login.html", 401, next=target, bad=False)
        try:
            if request.method == "POST":
                data = await form(request)
                if not same_origin(request) or not _same(
                    data.get("csrf", ""), csrf_token(srv)
                ):
                    raise UiError(403, "bad or missing CSRF token")
            return await fn(srv, request)
        except UiError as e:
            return render(srv, request, "error.html", e.status, message=str(e))

    return endpoint


async def login(srv: Server, request: Request) -> Response:
    """POST /ui/login: the login form's token -> the cookie."""
    try:
        data = await form(request)
    except UiError as e:
        return render(srv, request, "error.html", e.status, message=str(e))
    target = data.get("next") or "/"
    if same_origin(request) and token_ok(srv, data.get("token", "")):
        return login_response(srv, target)
    return render(srv, request, "login.html", 401, next=target, bad=True)


async def api(srv: Server, service: str, method: str, **body: Any) -> dict[str, Any]:
    """One RPC through the same handlers the API serves."""
    status, out = await rpc.call(srv, (service, method), body)
    if status != 200:
        raise UiError(status, str(out.get("message") or out))
    return out


MAX_FORM = 1 << 20  # a test request's body is the largest form


async def form(request: Request) -> dict[str, str]:
    """An url-encoded form body (what every UI form posts), first value per name."""
    from akcli.server.http_limits import BodyTimeout, BodyTooLarge, read_body

    cached = getattr(request.state, "form", None)
    if cached is None:
        try:
            raw = await read_body(request, MAX_FORM, 30.0)
        except BodyTooLarge:
            raise UiError(413, "form too large") from None
        except BodyTimeout:
            raise UiError(408, "form body timed out") from None
        text = raw.decode("utf-8", "replace")
        cached = dict(urllib.parse.parse_qsl(text, keep_blank_values=True)[::-1])
        request.state.form = cached
    return dict(cached)


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)
