"""A fake HTTP API on 127.0.0.1 that records requests and answers from routes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


# A route answers (status, JSON body) or (status, JSON body, extra headers).
Reply = tuple[int, Any] | tuple[int, Any, dict[str, str]]
Route = Reply | Callable[[Request], Reply]


@dataclass
class FakeAPI:
    url: str = ""
    routes: dict[tuple[str, str], Route] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)

    def route(self, method: str, path: str, reply: Route) -> None:
        self.routes[(method, path)] = reply

    def only(self, method: str, path: str) -> Request:
        """The one request received for ``method path``."""
        hits = [r for r in self.requests if (r.method, r.path) == (method, path)]
        assert len(hits) == 1, (
            method,
            path,
            [(r.method, r.path) for r in self.requests],
        )
        return hits[0]

    def answer(self, req: Request) -> tuple[int, bytes, dict[str, str]]:
        self.requests.append(req)
        route = self.routes.get((req.method, req.path))
        if route is None:
            body = {"message": f"no route {req.method} {req.path}"}
            return 404, json.dumps(body).encode(), {}
        try:
            reply = route(req) if callable(route) else route
        except Exception as e:  # a failed check in a route: answer it, keep it
            self.errors.append(e)
            return 500, json.dumps({"message": repr(e)}).encode(), {}
        status, data = reply[0], reply[1]
        headers = reply[2] if len(reply) == 3 else {}  # type: ignore[misc]
        return status, json.dumps(data).encode(), dict(headers)


def _handler(api: FakeAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            req = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(size) if size else b"",
            )
            status, body, headers = api.answer(req)
            self.send_response(status)
            headers.setdefault("Content-Type", "application/json")
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return Handler


@contextmanager
def serve() -> Iterator[FakeAPI]:
    api = FakeAPI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield api
        assert api.errors == []
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
