"""Contract: a build's archive bytes."""

from __future__ import annotations

from akcli.store.interface import Store
from tests.store import seed


def test_archive(store: Store) -> None:
    seed.project(store)
    seed.build(store, "bld_1", archive=b"\x00tar\xff")
    assert store.builds.archive("bld_1") == b"\x00tar\xff"
    assert store.builds.archive("bld_x") is None


def test_create_get_newest_first_delete(store: Store) -> None:
    from akcli.states import BuildStatus

    seed.project(store)
    seed.project(store, "prj_2")
    with store.tx():
        store.builds.create("bld_a", "prj_1", BuildStatus.SUCCESS, b"A", "t1")
    seed.build(store, "bld_c", t="t2")
    seed.build(store, "bld_b", t="t2")
    seed.build(store, "bld_z", "prj_2", t="t3")
    got = store.builds.get("bld_a")
    assert got is not None
    assert (got.project_id, got.status, got.error, got.archive, got.created_at) == (
        "prj_1",
        BuildStatus.SUCCESS,
        "",
        b"A",
        "t1",
    )
    assert store.builds.get("bld_x") is None
    assert [b.build_id for b in store.builds.newest_first("prj_1")] == [
        "bld_c",
        "bld_b",
        "bld_a",
    ]
    assert [b.build_id for b in store.builds.newest_first()][:2] == ["bld_z", "bld_c"]
    assert store.builds.newest_first("prj_3") == []
    with store.tx():
        store.builds.delete("bld_b")
    assert store.builds.get("bld_b") is None
    assert len(store.builds.newest_first()) == 3


def test_build_in_use(store: Store) -> None:
    from akcli.states import DeploymentState, SessionState

    seed.project(store)
    seed.build(store, "bld_free")
    seed.deployment(store, "dep_1", DeploymentState.INACTIVE)  # on bld_dep_1
    assert store.deployments.uses_build("bld_dep_1")
    assert not store.deployments.uses_build("bld_free")
    seed.session(store, "ses_1", build_id="bld_free")
    seed.session(store, "ses_2", build_id="bld_other")
    assert store.sessions.live_on_build("bld_free") == "ses_1"
    with store.tx():
        store.sessions.mark_running("ses_1", "t1")
    assert store.sessions.live_on_build("bld_free") == "ses_1"
    with store.tx():
        store.sessions.finish(
            "ses_1",
            SessionState.COMPLETED,
            error="",
            return_value="",
            stop_reason="",
            t="t2",
        )
    assert store.sessions.live_on_build("bld_free") is None
    assert store.sessions.live_on_build("bld_none") is None
