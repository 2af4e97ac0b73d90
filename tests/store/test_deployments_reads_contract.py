"""Contract: deployments are created, found, moved between states and deleted."""

from __future__ import annotations

from typing import Any

import pytest

from akcli.states import BuildStatus, DeploymentState
from akcli.store.interface import Store

ACTIVE, INACTIVE = DeploymentState.ACTIVE, DeploymentState.INACTIVE


@pytest.fixture(autouse=True)
def _builds(store: Store) -> None:
    with store.tx():
        for pid in ("prj_1", "prj_2"):
            store.projects.create(pid, pid, "t0")
            store.builds.create(f"bld_{pid}", pid, BuildStatus.SUCCESS, b"tar", "t0")


def _dep(store: Store, did: str, pid: str, state: DeploymentState, t: str) -> None:
    with store.tx():
        store.deployments.create(did, pid, f"bld_{pid}", state, t)


def test_create_get_set_state_delete(store: Store) -> None:
    _dep(store, "dep_1", "prj_1", INACTIVE, "t1")
    got = store.deployments.get("dep_1")
    assert got is not None
    assert (got.project_id, got.build_id, got.state) == ("prj_1", "bld_prj_1", INACTIVE)
    assert got.created_at == got.updated_at == "t1"
    with store.tx():
        store.deployments.set_state("dep_1", ACTIVE, "t2")
    got = store.deployments.get("dep_1")
    assert got is not None
    assert (got.state, got.created_at, got.updated_at) == (ACTIVE, "t1", "t2")
    with store.tx():
        store.deployments.delete("dep_1")
    assert store.deployments.get("dep_1") is None


def test_find_and_active(store: Store) -> None:
    _dep(store, "dep_1", "prj_1", ACTIVE, "t1")
    _dep(store, "dep_2", "prj_1", ACTIVE, "t2")
    _dep(store, "dep_3", "prj_1", INACTIVE, "t3")
    _dep(store, "dep_4", "prj_2", INACTIVE, "t3")

    def ids(**kw: Any) -> list[str]:
        return [d.deployment_id for d in store.deployments.find(**kw)]

    assert ids() == ["dep_4", "dep_3", "dep_2", "dep_1"]
    assert ids(project_id="prj_1") == ["dep_3", "dep_2", "dep_1"]
    assert ids(build_id="bld_prj_2") == ["dep_4"]
    assert ids(project_id="prj_1", state=ACTIVE) == ["dep_2", "dep_1"]
    active = store.deployments.active_for_project("prj_1")
    assert active is not None and active.deployment_id == "dep_2"
    assert store.deployments.active_for_project("prj_2") is None
    ids_active = store.deployments.ids_in_state("prj_1", ACTIVE, exclude="dep_2")
    assert ids_active == ["dep_1"]
    assert sorted(store.deployments.ids_in_state("prj_1", ACTIVE)) == ["dep_1", "dep_2"]
