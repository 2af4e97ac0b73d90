"""projects service: create/get/list/update/delete, resources (uploaded files)."""

from __future__ import annotations

import base64
import re
import sqlite3
from typing import Any

from akcli.errors import AkError, AlreadyExists, BadRequest, NotFound
from akcli.ids import is_id
from akcli.resource_paths import check_paths
from akcli.server.rpc import req_str, rpc
from akcli.server.state import Server
from akcli.store.db import now

NAME_RE = re.compile(r"^[a-zA-Z_][A-Za-z0-9_]*$")


def project_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "project_id": row["project_id"],
        "name": row["name"],
        "display_name": row["display_name"],
    }


def check_name(name: str) -> str:
    if not NAME_RE.match(name):
        bad = next((c for c in name if not re.match(r"\w", c)), name[:1])
        raise BadRequest(f'invalid project name "{name}": illegal symbol "{bad}"')
    return name


def resolve(srv: Server, ref: str) -> sqlite3.Row:
    """A project by ID or name; NotFound("project: not_found") otherwise."""
    if is_id(ref, "prj"):
        row = srv.db.one("SELECT * FROM projects WHERE project_id = ?", ref)
    else:
        row = srv.db.one("SELECT * FROM projects WHERE name = ?", ref)
    if row is None:
        raise NotFound("project: not_found")
    return row


def resolve_scoped(srv: Server, kind: str, ref: str, project: str) -> tuple[str, str]:
    """A project-scoped name, `project/name` or `name` with ``project``, as
    (project_id, name); ``kind`` names the thing in the error."""
    parts = ref.split("/")
    if len(parts) > 2:
        raise AkError(f'invalid {kind} name "{ref}": too many parts')
    if len(parts) == 2:
        project, name = parts
    elif project:
        name = ref
    else:
        raise AkError(f'invalid {kind} name "{ref}": missing project prefix')
    return resolve(srv, project)["project_id"], name


@rpc("projects", "Create")
def create(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    project = body.get("project") or {}
    name = check_name(req_str(project, "name", "project name"))
    if srv.db.one("SELECT 1 FROM projects WHERE name = ?", name):
        raise AlreadyExists(f'project "{name}": already_exists')
    pid = srv.ids.new("prj")
    t = now()
    with srv.db.tx() as c:
        c.execute(
            "INSERT INTO projects VALUES (?, ?, ?, ?, ?)",
            (pid, name, str(project.get("display_name") or ""), t, t),
        )
    return {"project_id": pid}


@rpc("projects", "Update")
def update(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    project = body.get("project") or {}
    row = resolve(srv, req_str(project, "project_id"))
    name = check_name(str(project.get("name") or row["name"]))
    clash = srv.db.one(
        "SELECT 1 FROM projects WHERE name = ? AND project_id != ?",
        name,
        row["project_id"],
    )
    if clash:
        raise AlreadyExists(f'project "{name}": already_exists')
    with srv.db.tx() as c:
        c.execute(
            "UPDATE projects SET name = ?, display_name = ?, updated_at = ? WHERE project_id = ?",
            (name, str(project.get("display_name") or ""), now(), row["project_id"]),
        )
    return {}


@rpc("projects", "Get")
def get(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    ref = body.get("project_id") or body.get("name") or ""
    if not ref:
        raise BadRequest("missing project")
    try:
        return {"project": project_json(resolve(srv, str(ref)))}
    except NotFound:
        return {}


@rpc("projects", "List")
def list_(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    rows = srv.db.all("SELECT * FROM projects ORDER BY created_at, project_id")
    return {"projects": [project_json(r) for r in rows]}


@rpc("projects", "Delete")
def delete(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = resolve(srv, req_str(body, "project_id", "project"))
    pid = row["project_id"]
    with srv.db.tx() as c:
        c.execute("DELETE FROM vars WHERE scope_id = ?", (pid,))
        c.execute(  # connection vars (connections go by ON DELETE CASCADE)
            "DELETE FROM vars WHERE scope_id IN"
            " (SELECT connection_id FROM connections WHERE project_id = ?)",
            (pid,),
        )
        c.execute("DELETE FROM store_values WHERE project_id = ?", (pid,))
        c.execute("DELETE FROM projects WHERE project_id = ?", (pid,))
    return {}


@rpc("projects", "SetResources")
def set_resources(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """Replace the project's files: `resources` maps path -> base64 content."""
    row = resolve(srv, req_str(body, "project_id", "project"))
    resources = body.get("resources")
    if not isinstance(resources, dict):
        raise BadRequest("missing resources")
    check_paths(resources)
    files: list[tuple[str, str, bytes]] = []
    for path, data in resources.items():
        if not isinstance(data, str):
            raise BadRequest(f'resource "{path}": content must be a base64 string')
        try:
            content = base64.b64decode(data, validate=True)
        except ValueError:
            raise BadRequest(
                f'resource "{path}": content is not valid base64'
            ) from None
        files.append((row["project_id"], path, content))
    with srv.db.tx() as c:
        c.execute("DELETE FROM resources WHERE project_id = ?", (row["project_id"],))
        c.executemany("INSERT INTO resources VALUES (?, ?, ?)", files)
    return {}


def read_resources(srv: Server, project_id: str) -> dict[str, bytes]:
    rows = srv.db.all(
        "SELECT path, data FROM resources WHERE project_id = ? ORDER BY path",
        project_id,
    )
    return {r["path"]: bytes(r["data"]) for r in rows}


@rpc("projects", "DownloadResources")
def download_resources(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    row = resolve(srv, req_str(body, "project_id", "project"))
    files = read_resources(srv, row["project_id"])
    return {"resources": {p: base64.b64encode(d).decode() for p, d in files.items()}}
