"""The deployments, builds and vars services called in-process (no HTTP)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from akcli.errors import AkError, BadRequest, Conflict, NotFound
from akcli.server.services import builds, deployments, projects, triggers, vars
from akcli.server.state import Server
from akcli.store.db import now


def _project(srv: Server, files: dict[str, str]) -> str:
    pid = str(projects.create(srv, {"project": {"name": "p"}})["project_id"])
    res = {k: base64.b64encode(v.encode()).decode() for k, v in files.items()}
    projects.set_resources(srv, {"project_id": pid, "resources": res})
    return pid


def _deploy(srv: Server, pid: str) -> str:
    bid = builds.build(srv, {"project_id": pid})["build_id"]
    body = {"deployment": {"build_id": bid, "project_id": pid}}
    return str(deployments.create(srv, body)["deployment_id"])


def _state(srv: Server, did: str) -> str:
    got: dict[str, Any] = deployments.get(srv, {"deployment_id": did})
    return str(got["deployment"]["state"])


def _session(srv: Server, did: str, state: str) -> None:
    t = now()
    srv.db.exec(
        "INSERT INTO sessions (session_id, project_id, deployment_id, entry_path,"
        " entry_name, inputs, memo, state, created_at, updated_at)"
        " VALUES (?, 'p', ?, 'main.py', 'f', '{}', '{}', ?, ?, ?)",
        srv.ids.new("ses"),
        did,
        state,
        t,
        t,
    )


def test_activate_drains_or_deactivates_previous(srv: Server) -> None:
    pid = _project(srv, {"main.py": "x"})
    d1, d2, d3 = _deploy(srv, pid), _deploy(srv, pid), _deploy(srv, pid)
    assert _state(srv, d1) == deployments.INACTIVE
    deployments.activate(srv, {"deployment_id": d1})
    _session(srv, d1, "running")
    deployments.activate(srv, {"deployment_id": d2})
    assert (_state(srv, d1), _state(srv, d2)) == (
        deployments.DRAINING,
        deployments.ACTIVE,
    )
    _session(srv, d2, "completed")
    deployments.activate(srv, {"deployment_id": d3})
    assert _state(srv, d2) == deployments.INACTIVE
    with pytest.raises(Conflict):
        deployments.delete(srv, {"deployment_id": d3})
    with pytest.raises(Conflict):
        deployments.delete(srv, {"deployment_id": d1})  # draining
    deployments.deactivate(srv, {"deployment_id": d3})
    assert _state(srv, d3) == deployments.INACTIVE
    deployments.delete(srv, {"deployment_id": d3})
    assert deployments.get(srv, {"deployment_id": d3}) == {}

    listed = deployments.list_(srv, {"project_id": "p", "include_session_stats": True})
    ids = [d["deployment_id"] for d in listed["deployments"]]
    assert ids == [d2, d1]  # newest first
    assert listed["deployments"][1]["sessions_stats"] == [
        {"state": "SESSION_STATE_TYPE_RUNNING", "count": 1}
    ]
    only = deployments.list_(srv, {"state": "draining"})["deployments"]
    assert [d["deployment_id"] for d in only] == [d1]


def test_build_checks_entry_points(srv: Server) -> None:
    pid = _project(srv, {"main.py": "x"})
    trg = {
        "project_id": pid,
        "name": "t",
        "source_type": "SOURCE_TYPE_WEBHOOK",
        "code_location": {"path": "other.py", "name": "f"},
    }
    triggers.create(srv, {"trigger": trg})
    with pytest.raises(AkError, match='entry point file "other.py" not found'):
        builds.build(srv, {"project_id": pid})
    assert builds.list_(srv, {"project_id": pid}) == {"builds": []}


def test_bad_ids(srv: Server) -> None:
    with pytest.raises(BadRequest):
        deployments.activate(srv, {"deployment_id": "bld_00000000000000000000000001"})
    with pytest.raises(NotFound, match='build ID "bld_0+9" not found'):
        builds.delete(srv, {"build_id": "bld_00000000000000000000000009"})


def test_vars_secret_stored_encrypted(srv: Server) -> None:
    pid = _project(srv, {"main.py": "x"})
    var = {"scope_id": "p", "name": "s", "value": "plain-secret", "is_secret": True}
    vars.set_(srv, {"vars": [var]})
    row = srv.db.one("SELECT value FROM vars WHERE scope_id = ?", pid)
    assert row is not None and "plain-secret" not in row["value"]
    masked = vars.get(srv, {"scope_id": pid})["vars"][0]
    assert masked["value"] == "<secret>"
    assert vars.get(srv, {"scope_id": pid, "reveal": True})["vars"][0]["value"] == (
        "plain-secret"
    )
    with pytest.raises(NotFound, match='^project "" not found$'):
        vars.get(srv, {})
    with pytest.raises(BadRequest, match='invalid variable name "a b"'):
        vars.set_(srv, {"vars": [{"scope_id": pid, "name": "a b"}]})
