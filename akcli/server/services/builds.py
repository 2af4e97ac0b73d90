"""builds service: build a project's uploaded files into a stored tar archive."""

from __future__ import annotations

import base64
import io
import tarfile
from typing import Any

from akcli.errors import AkError, BadRequest, Conflict, NotFound
from akcli.ids import is_id
from akcli.resource_paths import check_paths
from akcli.server.rpc import req_str, rpc
from akcli.server.services.projects import get_project, read_resources
from akcli.server.state import Server
from akcli.states import BuildStatus
from akcli.store.db import now
from akcli.store.interface.builds import BuildRow


def build_json(row: BuildRow) -> dict[str, Any]:
    return {
        "build_id": row.build_id,
        "project_id": row.project_id,
        "created_at": row.created_at,
        "status": row.status,
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
    for row in srv.store.triggers.with_code(project_id):
        if not row.code_name:
            raise BadRequest(
                f'trigger "{row.name}": call "{row.code_path}" names no'
                f' function (expected "{row.code_path}:function")'
            )
        if row.code_path not in files:
            raise AkError(
                f'trigger "{row.name}": entry point file "{row.code_path}"'
                f" not found in the uploaded files"
                f" (call: {row.code_path}:{row.code_name})"
            )


def build_by_id(srv: Server, build_id: str) -> BuildRow:
    """A malformed ID is BadRequest (rc 40), a missing one NotFound (rc 44),
    as upstream words them."""
    if not is_id(build_id, "bld"):
        raise BadRequest(f'invalid build ID "{build_id}"')
    row = srv.store.builds.get(build_id)
    if row is None:
        raise NotFound(f'build ID "{build_id}" not found')
    return row


@rpc("builds", "Build")
def build(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    project = get_project(srv, req_str(body, "project_id", "project"))
    pid = project.project_id
    files = read_resources(srv, pid)
    if not files:
        raise AkError(f'project "{project.name}" has no uploaded files to build')
    check_entry_points(srv, pid, files)
    bid = srv.ids.new("bld")
    archive = make_archive(files)
    with srv.store.tx():
        srv.store.builds.create(bid, pid, BuildStatus.SUCCESS, archive, now())
    return {"build_id": bid}


@rpc("builds", "Upload")
def upload(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """Store an existing archive (base64 tar in `data`) as a new build."""
    project = get_project(srv, req_str(body, "project_id", "project"))
    try:
        archive = base64.b64decode(req_str(body, "data", "build data"), validate=True)
        read_archive(archive)
    except (ValueError, tarfile.TarError) as e:
        raise BadRequest(f"invalid build archive: {e}") from None
    bid = srv.ids.new("bld")
    with srv.store.tx():
        srv.store.builds.create(
            bid, project.project_id, BuildStatus.SUCCESS, archive, now()
        )
    return {"build_id": bid}


@rpc("builds", "List")
def list_(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    ref = str(body.get("project_id") or "")
    pid = get_project(srv, ref).project_id if ref else ""
    rows = srv.store.builds.newest_first(pid)
    return {"builds": [build_json(r) for r in rows]}


@rpc("builds", "Get")
def get(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"build": build_json(build_by_id(srv, req_str(body, "build_id")))}
    except NotFound:
        return {}


@rpc("builds", "Download")
def download(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = build_by_id(srv, req_str(body, "build_id"))
    return {"data": base64.b64encode(bytes(row.archive)).decode()}


@rpc("builds", "Describe")
def describe(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = build_by_id(srv, req_str(body, "build_id"))
    files = read_archive(bytes(row.archive))
    return {"build": {"files": sorted(files)}}


@rpc("builds", "Delete")
def delete(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    bid = build_by_id(srv, req_str(body, "build_id")).build_id
    if srv.store.deployments.uses_build(bid):
        raise Conflict(f'build "{bid}" is used by a deployment: conflict')
    # Sessions resume on their own build (issue 15).
    pinned = srv.store.sessions.live_on_build(bid)
    if pinned is not None:
        raise Conflict(
            f'build "{bid}" is used by session {pinned}'
            " (it resumes on its own build): conflict"
        )
    with srv.store.tx():
        srv.store.builds.delete(bid)
    return {}
