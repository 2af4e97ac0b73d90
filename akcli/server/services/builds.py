"""builds service: build a project's uploaded files into a stored tar archive."""

from __future__ import annotations

import base64
import io
import sqlite3
import tarfile
from typing import Any

from akcli.errors import AkError, BadRequest, NotFound
from akcli.resource_paths import check_paths
from akcli.server.rpc import req_str, row_by_id, rpc
from akcli.server.services.projects import read_resources, resolve
from akcli.server.state import Server
from akcli.store.db import now

BUILD_STATUS_SUCCESS = "BUILD_STATUS_SUCCESS"


def build_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "build_id": row["build_id"],
        "project_id": row["project_id"],
        "created_at": row["created_at"],
        "status": row["status"],
    }


def make_archive(files: dict[str, bytes]) -> bytes:
    """A deterministic tar of the files (sorted paths, zero mtimes)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path in sorted(files):
            info = tarfile.TarInfo(path)
            info.size = len(files[path])
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(files[path]))
    return buf.getvalue()


def read_archive(archive: bytes) -> dict[str, bytes]:
    """The regular files of a tar; links, devices and unusable names are refused
    (BadRequest) rather than followed or stored."""
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:*") as tar:
        for member in tar.getmembers():
            if member.isdir():
                continue
            if not member.isfile():
                kind = "link" if member.issym() or member.islnk() else "special file"
                raise BadRequest(
                    f"invalid build archive: {member.name!r} is a {kind};"
                    " only regular files are allowed"
                )
            f = tar.extractfile(member)
            if f is not None:
                out[member.name] = f.read()
    check_paths(out, "archive member")
    return out


def check_entry_points(srv: Server, project_id: str, files: dict[str, bytes]) -> None:
    """Every trigger's `call` must name a function in an uploaded file."""
    rows = srv.db.all(
        "SELECT name, code_path, code_name FROM triggers"
        " WHERE project_id = ? AND code_path != '' ORDER BY name",
        project_id,
    )
    for row in rows:
        if not row["code_name"]:
            raise BadRequest(
                f'trigger "{row["name"]}": call "{row["code_path"]}" names no'
                f' function (expected "{row["code_path"]}:function")'
            )
        if row["code_path"] not in files:
            raise AkError(
                f'trigger "{row["name"]}": entry point file "{row["code_path"]}"'
                f" not found in the uploaded files"
                f" (call: {row['code_path']}:{row['code_name']})"
            )


def get_build(srv: Server, build_id: str) -> sqlite3.Row:
    return row_by_id(srv, "build", "bld", build_id)


@rpc("builds", "Build")
def build(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    project = resolve(srv, req_str(body, "project_id", "project"))
    pid = project["project_id"]
    files = read_resources(srv, pid)
    if not files:
        raise AkError(f'project "{project["name"]}" has no uploaded files to build')
    check_entry_points(srv, pid, files)
    bid = srv.ids.new("bld")
    with srv.db.tx() as c:
        c.execute(
            "INSERT INTO builds (build_id, project_id, status, archive, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (bid, pid, BUILD_STATUS_SUCCESS, make_archive(files), now()),
        )
    return {"build_id": bid}


@rpc("builds", "Upload")
def upload(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """Store an existing archive (base64 tar in `data`) as a new build."""
    project = resolve(srv, req_str(body, "project_id", "project"))
    try:
        archive = base64.b64decode(req_str(body, "data", "build data"), validate=True)
        read_archive(archive)
    except (ValueError, tarfile.TarError) as e:
        raise BadRequest(f"invalid build archive: {e}") from None
    bid = srv.ids.new("bld")
    with srv.db.tx() as c:
        c.execute(
            "INSERT INTO builds (build_id, project_id, status, archive, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (bid, project["project_id"], BUILD_STATUS_SUCCESS, archive, now()),
        )
    return {"build_id": bid}


@rpc("builds", "List")
def list_(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    ref = str(body.get("project_id") or "")
    if ref:
        pid = resolve(srv, ref)["project_id"]
        rows = srv.db.all(
            "SELECT * FROM builds WHERE project_id = ?"
            " ORDER BY created_at DESC, build_id DESC",
            pid,
        )
    else:
        rows = srv.db.all(
            "SELECT * FROM builds ORDER BY created_at DESC, build_id DESC"
        )
    return {"builds": [build_json(r) for r in rows]}


@rpc("builds", "Get")
def get(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"build": build_json(get_build(srv, req_str(body, "build_id")))}
    except NotFound:
        return {}


@rpc("builds", "Download")
def download(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = get_build(srv, req_str(body, "build_id"))
    return {"data": base64.b64encode(bytes(row["archive"])).decode()}


@rpc("builds", "Describe")
def describe(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = get_build(srv, req_str(body, "build_id"))
    files = read_archive(bytes(row["archive"]))
    return {"build": {"files": sorted(files)}}


@rpc("builds", "Delete")
def delete(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = get_build(srv, req_str(body, "build_id"))
    used = srv.db.one(
        "SELECT 1 FROM deployments WHERE build_id = ? LIMIT 1", row["build_id"]
    )
    if used:
        from akcli.errors import Conflict

        raise Conflict(f'build "{row["build_id"]}" is used by a deployment: conflict')
    pinned = srv.db.one(  # sessions resume on their own build (issue 15)
        "SELECT session_id FROM sessions WHERE build_id = ?"
        " AND state IN ('created', 'running') LIMIT 1",
        row["build_id"],
    )
    if pinned:
        from akcli.errors import Conflict

        raise Conflict(
            f'build "{row["build_id"]}" is used by session {pinned["session_id"]}'
            " (it resumes on its own build): conflict"
        )
    with srv.db.tx() as c:
        c.execute("DELETE FROM builds WHERE build_id = ?", (row["build_id"],))
    return {}
