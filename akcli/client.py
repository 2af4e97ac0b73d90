"""The HTTP client every command uses to talk to `ak up` (stdlib only: fast start).

Calls are Connect-style JSON RPCs: `POST /autokitteh.<svc>.v1.<Svc>/<Method>`
with a JSON body; errors come back as `{"code": ..., "message": ...}` and are
re-raised as the matching `AkError`, so exit codes survive the wire.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akcli.errors import AkError, ServerUnavailable, from_code

if TYPE_CHECKING:
    from akcli.config import Config

DEFAULT_TIMEOUT = 60.0


def _timeout() -> float:
    raw = os.environ.get("AK_TIMEOUT", "")
    if not raw:
        return DEFAULT_TIMEOUT
    from akcli.config import parse_duration

    try:
        return parse_duration(raw)
    except ValueError:
        raise AkError(
            f'invalid AK_TIMEOUT "{raw}" (use a duration such as 30s)'
        ) from None


@dataclass
class Client:
    url: str
    token: str = ""
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_config(cls, config: Config, token: str | None = None) -> Client:
        tok = token or config.get("http.token") or _stored_token(config)
        return cls(url=config.service_url.rstrip("/"), token=tok, timeout=_timeout())

    def _conn(self) -> http.client.HTTPConnection:
        u = urllib.parse.urlsplit(self.url)
        port = u.port or (443 if u.scheme == "https" else 80)
        host = u.hostname or "localhost"
        if u.scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=self.timeout)
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """A raw HTTP request to the server; connection errors become one line."""
        conn = self._conn()
        hdrs = dict(headers or {})
        if self.token:
            hdrs["Authorization"] = f"Bearer {self.token}"
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
        except (ConnectionRefusedError, socket.gaierror, FileNotFoundError) as e:
            raise ServerUnavailable(
                f"no ak server at {self.url} (start one with: ak up --mode dev)"
            ) from e
        except TimeoutError as e:
            raise AkError(f"timed out waiting for the ak server at {self.url}") from e
        except OSError as e:
            raise ServerUnavailable(f"ak server at {self.url}: {e}") from e
        finally:
            conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def call(
        self, service: str, method: str, body: dict[str, Any] | None = None
    ) -> Any:
        """One RPC: `service` is e.g. "projects", `method` e.g. "Create"."""
        svc = service.capitalize() + "Service"
        path = f"/autokitteh.{service}.v1.{svc}/{method}"
        status, _, data = self.request(
            "POST",
            path,
            json.dumps(body or {}).encode(),
            {"Content-Type": "application/json"},
        )
        try:
            doc = json.loads(data) if data else {}
        except ValueError:
            doc = None
        if status == 200 and isinstance(doc, dict):
            return doc
        if isinstance(doc, dict) and "code" in doc:
            raise from_code(str(doc["code"]), str(doc.get("message", "")))
        raise AkError(
            f"server error: HTTP {status}: {data[:200].decode(errors='replace')}"
        )


def _stored_token(config: Config) -> str:
    """Token for this server from `<config home>/credentials` (host:port or default)."""
    path = config.paths.credentials_file
    if not path.is_file():
        return ""
    import yaml

    try:
        creds = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError:
        raise AkError(f'invalid credentials file "{path}"') from None
    if not isinstance(creds, dict):
        return ""
    host = urllib.parse.urlsplit(config.service_url).netloc
    return str(creds.get(host) or creds.get("default") or "")
