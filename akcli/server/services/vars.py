"""vars service: project-scoped variables; secret values encrypted at rest.

Secret values never leave the server unless the caller asks to `reveal` them,
and are never logged.
"""

from __future__ import annotations

import re
from typing import Any

from akcli.errors import BadRequest, NotFound
from akcli.ids import is_id
from akcli.secrets import SECRET_MASK
from akcli.server.rpc import rpc
from akcli.server.services.projects import get_project
from akcli.server.state import Server
from akcli.store.interface.vars import VarRow

VAR_NAME_RE = re.compile(r"^[a-zA-Z_][A-Za-z0-9_]*$")
MAX_VALUE = 1 << 20


def check_var_name(name: str) -> str:
    if not VAR_NAME_RE.match(name):
        bad = next((c for c in name if not re.match(r"\w", c)), name[:1])
        why = f'illegal symbol "{bad}"' if bad else "empty name"
        raise BadRequest(f'invalid variable name "{name}": {why}')
    return name


def scope_of(srv: Server, body: dict[str, Any]) -> str:
    """The project ID the request is about; `project "<ref>" not found` else."""
    ref = str(body.get("scope_id") or body.get("project_id") or "")
    if not ref:
        raise NotFound('project "" not found')
    if is_id(ref, "con"):  # a connection's vars (manifest set_var/delete_var)
        if srv.store.connections.get(ref) is not None:
            return ref
        raise NotFound(f'connection "{ref}" not found')
    try:
        return get_project(srv, ref).project_id
    except NotFound:
        raise NotFound(f'project "{ref}" not found') from None


def var_json(srv: Server, row: VarRow, reveal: bool) -> dict[str, Any]:
    value = row.value
    if row.is_secret:
        value = srv.cipher.decrypt(value) if reveal else SECRET_MASK
    return {
        "scope_id": row.scope_id,
        "name": row.name,
        "value": value,
        "is_secret": row.is_secret,
        "description": row.description,
    }


def set_vars(srv: Server, scope_id: str, vars_: list[dict[str, Any]]) -> None:
    rows = []
    for v in vars_:
        name = check_var_name(str(v.get("name") or ""))
        value = str(v.get("value") or "")
        if len(value.encode()) > MAX_VALUE:
            raise BadRequest(f'var "{name}": value is larger than 1 MiB')
        secret = bool(v.get("is_secret"))
        stored = srv.cipher.encrypt(value) if secret else value
        rows.append(
            VarRow(scope_id, name, stored, secret, str(v.get("description") or ""))
        )
    srv.store.vars.set_many(rows)


@rpc("vars", "Set")
def set_(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """`{vars: [{scope_id, name, value, is_secret, description}]}` (one scope)."""
    vars_ = body.get("vars")
    if not isinstance(vars_, list) or not vars_:
        raise BadRequest("missing vars")
    scopes = {str(v.get("scope_id") or "") for v in vars_ if isinstance(v, dict)}
    if len(scopes) != 1 or len(vars_) != sum(isinstance(v, dict) for v in vars_):
        raise BadRequest("vars must all have the same scope")
    scope_id = scope_of(srv, {"scope_id": scopes.pop()})
    set_vars(srv, scope_id, vars_)
    return {}


@rpc("vars", "Get")
def get(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """`{scope_id, names?: [...], reveal?: bool}` -> `{vars: [...]}` by name."""
    scope_id = scope_of(srv, body)
    names = [str(n) for n in body.get("names") or []]
    rows = srv.store.vars.in_scope(scope_id)
    if names:
        by_name = {r.name: r for r in rows}
        rows = [by_name[n] for n in names if n in by_name]
    reveal = bool(body.get("reveal"))
    return {"vars": [var_json(srv, r, reveal) for r in rows]}


@rpc("vars", "Delete")
def delete(srv: Server, body: dict[str, Any]) -> dict[str, Any]:
    """`{scope_id, names: [...]}`; missing names are ignored."""
    scope_id = scope_of(srv, body)
    names = [str(n) for n in body.get("names") or []]
    srv.store.vars.delete_names(scope_id, names)
    return {}
