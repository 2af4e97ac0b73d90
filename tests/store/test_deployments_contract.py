"""Contract: a project's ACTIVE deployments, a session's deployment, and a
DRAINING deployment retired once its last session ended."""

from __future__ import annotations

from akcli.states import DeploymentState, SessionState
from akcli.store.interface import Store
from tests.store import seed


def test_active_and_of_session(store: Store) -> None:
    seed.project(store)
    seed.project(store, "prj_2")
    seed.deployment(store, "dep_b", DeploymentState.ACTIVE, created_at="t2")
    seed.deployment(store, "dep_a", DeploymentState.ACTIVE, created_at="t1")
    seed.deployment(store, "dep_i", DeploymentState.INACTIVE)
    seed.deployment(store, "dep_2", DeploymentState.DRAINING, "prj_2")
    active = store.deployments.active("prj_1")
    assert [(d.deployment_id, d.build_id) for d in active] == [
        ("dep_a", "bld_dep_a"),
        ("dep_b", "bld_dep_b"),
    ]
    assert active[0].state is DeploymentState.ACTIVE
    assert store.deployments.has_active("prj_1")
    assert not store.deployments.has_active("prj_2")
    assert store.deployments.active("prj_2") == []
    seed.session(store, "ses_1", deployment_id="dep_2", project_id="prj_2")
    seed.session(store, "ses_0")
    dep = store.deployments.of_session("ses_1")
    assert dep is not None
    assert (dep.deployment_id, dep.state) == ("dep_2", DeploymentState.DRAINING)
    assert store.deployments.of_session("ses_0") is None  # no deployment
    assert store.deployments.of_session("ses_x") is None


def _end(store: Store, sid: str) -> None:
    assert store.sessions.finish(
        sid,
        SessionState.COMPLETED,
        error="",
        return_value="null",
        stop_reason="",
        t="t",
    )


def test_retire_if_drained(store: Store) -> None:
    seed.project(store)
    seed.deployment(store, "dep_d", DeploymentState.DRAINING)
    seed.deployment(store, "dep_a", DeploymentState.ACTIVE)
    seed.session(store, "ses_1", deployment_id="dep_d")
    seed.session(store, "ses_2", deployment_id="dep_d")
    seed.session(store, "ses_3", deployment_id="dep_a")
    store.sessions.mark_running("ses_2", "t")
    _end(store, "ses_1")
    store.deployments.retire_if_drained("ses_1", "t9")  # ses_2 still runs
    dep = store.deployments.of_session("ses_1")
    assert dep is not None and dep.state is DeploymentState.DRAINING
    _end(store, "ses_2")
    store.deployments.retire_if_drained("ses_2", "t9")
    dep = store.deployments.of_session("ses_2")
    assert dep is not None
    assert (dep.state, dep.updated_at) == (DeploymentState.INACTIVE, "t9")
    _end(store, "ses_3")
    store.deployments.retire_if_drained("ses_3", "t9")  # ACTIVE stays ACTIVE
    dep = store.deployments.of_session("ses_3")
    assert dep is not None and dep.state is DeploymentState.ACTIVE
