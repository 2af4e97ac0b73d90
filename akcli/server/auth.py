"""Who may call the API: the holder of the server's token, on every RPC.

The token lives in ``<config home>/credentials`` (mode 0600, written by the
first ``ak up``; ``http.token`` overrides it), so only the user who runs the
server (and root) can read it; the ``ak`` CLI sends it by itself. Webhooks,
``/healthz``, ``/readyz``, ``/version`` and the public ``/store`` values stay
open, as upstream.

:func:`authorized` is the one check; the web UI reuses it for its pages (a
cookie :data:`COOKIE`, set after :func:`valid_token` accepted a ``?token=``
or a login form; set it ``HttpOnly`` and ``SameSite=Strict``).
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse

from akcli.config import Config
from akcli.errors import AkError
from akcli.paths import Paths, write_private
from akcli.server.state import Server

COOKIE = "ak_token"


def _same(given: str, token: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


def valid_token(server: Server, given: str) -> bool:
    """Whether ``given`` is the server's token (constant time): for the UI's
    ``?token=`` link and login form, before it sets the cookie."""
    return bool(server.token) and _same(given, server.token)


def authorized(server: Server, request: Request, *, cookie: bool = True) -> bool:
    """Whether ``request`` carries the server's token.

    ``Authorization: Bearer <token>``, or (``cookie=True``) the cookie
    :data:`COOKIE`. Fails closed: a server without a token lets no one in.
    The RPC API takes the header only (``cookie=False``), so a web page in
    the user's browser cannot make API calls with the UI's cookie.
    """
    token = server.token
    if not token:
        return False
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and _same(given.strip(), token):
        return True
    return cookie and _same(request.cookies.get(COOKIE, ""), token)


def unauthenticated() -> JSONResponse:
    """The 401 answer (the CLI turns it into exit code 41)."""
    return JSONResponse(
        {
            "code": "unauthenticated",
            "message": "missing or bad API token (ak sends the one stored in"
            " the server's <config home>/credentials; see ak config where)",
        },
        status_code=401,
    )


def server_token(config: Config, paths: Paths) -> str:
    """The API token every RPC must carry: configured, or generated and stored.

    Stored under ``default`` in ``<config home>/credentials`` (0600), where the
    CLI (and any other tool of the same user) reads it.
    """
    return config.get("http.token") or stored_token(paths)


def stored_token(paths: Paths) -> str:
    """The `default` token of `<config home>/credentials`, generated and stored
    (mode 0600) when there is none yet (the web UI reads it too)."""
    import yaml

    creds_file = paths.credentials_file
    try:
        creds = yaml.safe_load(creds_file.read_text()) if creds_file.exists() else {}
    except yaml.YAMLError:
        raise AkError(f'invalid credentials file "{creds_file}"') from None
    creds = creds if isinstance(creds, dict) else {}
    token = str(creds.get("default") or "")
    if not token or creds_file.stat().st_mode & 0o077:
        token = token or secrets.token_urlsafe(32)
        creds["default"] = token
        write_private(creds_file, yaml.safe_dump(creds))
    return token
