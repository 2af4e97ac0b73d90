"""Contract: a webhook slug finds its trigger only while the project is live."""

from __future__ import annotations

from akcli.states import BuildStatus, DeploymentState
from akcli.store.interface import Store
from tests.store import seed


def test_live_webhook(store: Store) -> None:
    with store.tx():
        store.projects.create("prj_1", "p", "t0")
        store.builds.create("bld_1", "prj_1", BuildStatus.SUCCESS, b"", "t0")
        store.deployments.create(
            "dep_1", "prj_1", "bld_1", DeploymentState.INACTIVE, "t0"
        )
    seed.webhook_trigger(store, "trg_1", "prj_1", "slug1")
    assert store.triggers.live_webhook("slug1") is None
    with store.tx():
        store.deployments.set_state("dep_1", DeploymentState.ACTIVE, "t1")
    got = store.triggers.live_webhook("slug1")
    assert got is not None
    assert (got.trigger_id, got.project_id, got.webhook_slug) == (
        "trg_1",
        "prj_1",
        "slug1",
    )
    assert got.is_sync is False
    assert store.triggers.live_webhook("slug2") is None
