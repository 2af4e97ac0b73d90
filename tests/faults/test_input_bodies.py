"""Hostile bodies: deep JSON, bad base64, links and odd names in uploads.

Each is refused with a 400 and a message, or (a webhook body) stored as it
came; none is a 500, and the server keeps serving. On main before these
fixes: deep webhook JSON -> 500 (event lost), deep RPC JSON -> 500, bad
base64 -> 500, a tar symlink -> 500 `KeyError`, `../../x` and `x\\0y` accepted.
"""

from __future__ import annotations

import base64
import io
import json
import tarfile

import pytest

from tests.faults.conftest import Env
from tests.faults.rpc_raw import post

pytestmark = pytest.mark.faults

PROJECT = {
    "autokitteh.yaml": (
        "version: v2\nproject:\n  name: bodies\n  triggers:\n"
        "    - name: hook\n      type: webhook\n      call: program.py:on_hook\n"
    ),
    "program.py": "def on_hook(event):\n    print('got', len(event.data.body.bytes))\n",
}


def _deep(n: int) -> bytes:
    return b'{"a":' * n + b"1" + b"}" * n


def test_deep_webhook_body_is_stored_raw(env: Env) -> None:
    env.deploy("bodies", PROJECT)
    slug = env.slug("bodies", "hook")
    body = _deep(990)  # ~6 KB, within the body limit
    status, headers, _ = env.request(
        "POST", f"/webhooks/{slug}", body, {"Content-Type": "application/json"}
    )
    assert status == 202
    event_id = headers["autokitteh-event-id"]
    got = json.loads(env.ok("event", "get", event_id, "-j"))["event"]["data"]
    assert base64.b64decode(got["body"]["bytes"]) == body  # every byte kept
    assert got["body"]["json"] is None  # too deep to parse: raw bytes only
    assert env.healthy()


def test_deep_rpc_body_is_400(env: Env) -> None:
    status, text = post(env.server, "projects", "Get", b"[" * 100_000 + b"]" * 100_000)
    assert status == 400, text
    assert "nested deeper" in json.loads(text)["message"]
    assert env.healthy()


def _project_id(env: Env, name: str) -> str:
    env.ok("project", "create", "-n", name)
    out = json.loads(env.ok("project", "get", name, "-j"))
    return str(out["project"]["project_id"])


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("", "empty name"),
        (".", '"." path component'),
        ("x\x00y", "control character"),
        ("a/../../x", '".." path component'),
        ("x" * 300, "longer than 255"),
    ],
)
def test_set_resources_refuses_unusable_names(env: Env, path: str, why: str) -> None:
    pid = _project_id(env, "names")
    body = {"project_id": pid, "resources": {path: base64.b64encode(b"x").decode()}}
    status, text = post(
        env.server, "projects", "SetResources", json.dumps(body).encode()
    )
    assert status == 400, text
    assert why in json.loads(text)["message"]


def test_set_resources_file_used_as_dir_and_bad_base64(env: Env) -> None:
    pid = _project_id(env, "clash")
    ok = base64.b64encode(b"x").decode()
    body = {"project_id": pid, "resources": {"program.py": ok, "program.py/x": ok}}
    status, text = post(
        env.server, "projects", "SetResources", json.dumps(body).encode()
    )
    assert status == 400 and "is a file, not a directory" in text, text
    body = {"project_id": pid, "resources": {"program.py": "not base64!!"}}
    status, text = post(
        env.server, "projects", "SetResources", json.dumps(body).encode()
    )
    assert status == 400 and "not valid base64" in text, text


def _tar(add: list[tarfile.TarInfo]) -> str:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for info in add:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return base64.b64encode(buf.getvalue()).decode()


def test_build_upload_refuses_links_and_escaping_members(env: Env) -> None:
    pid = _project_id(env, "uploads")
    link = tarfile.TarInfo("main.py")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    escaping = tarfile.TarInfo("../../x")
    escaping.size = 1
    for info, why in ((link, "is a link"), (escaping, '".." path component')):
        body = {"project_id": pid, "data": _tar([info])}
        status, text = post(env.server, "builds", "Upload", json.dumps(body).encode())
        assert status == 400, text
        assert why in json.loads(text)["message"]
    assert env.ok("build", "list", "-p", "uploads").strip() == ""
    assert env.healthy()
