"""Raw RPC bodies sent through the CLI's own client (so its credentials apply).

Hostile-input tests need bodies `ak` never sends (a 100k-deep JSON, bad
base64, a tar with links); they go through `akcli.client.Client` in a child
process with the server's environment, as `ak` itself would connect.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.server import AkServer

_SNIPPET = r"""
import json, sys
from akcli.cli import AppContext
client = AppContext().client
path = sys.argv[1]
body = sys.stdin.buffer.read()
status, _, data = client.request(
    "POST", path, body, {"Content-Type": "application/json"}
)
sys.stdout.write(json.dumps({"status": status, "body": data.decode("utf-8", "replace")}))
"""


def post(server: AkServer, service: str, method: str, body: bytes) -> tuple[int, str]:
    """POST `body` to `/autokitteh.<service>.v1.<Service>Service/<method>`."""
    svc = service.capitalize()
    path = f"/autokitteh.{service}.v1.{svc}Service/{method}"
    p = subprocess.run(
        [sys.executable, "-c", _SNIPPET, path],
        input=body,
        capture_output=True,
        env=server.env,
        timeout=60,
        check=True,
    )
    out = json.loads(p.stdout)
    return int(out["status"]), str(out["body"])
