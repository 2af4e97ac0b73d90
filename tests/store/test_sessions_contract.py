"""Contract: sessions are created CREATED and read back as typed rows."""

from __future__ import annotations

from akcli.states import SessionState
from akcli.store.interface import Store
from akcli.store.interface.sessions import NewSession


def test_create_then_get(store: Store) -> None:
    new = NewSession(
        session_id="ses_1",
        project_id="prj_1",
        entry_path="main.py",
        entry_name="on_event",
        inputs={"data": {"n": 1}},
        memo={"k": "v"},
        event_id="evt_1",
        is_durable=True,
    )
    with store.tx():
        store.sessions.create(new, "2026-01-01T00:00:00.000000Z")
    got = store.sessions.get("ses_1")
    assert got is not None
    assert got.state is SessionState.CREATED
    assert (got.inputs, got.memo, got.event_id) == (
        {"data": {"n": 1}},
        {"k": "v"},
        "evt_1",
    )
    assert (got.is_durable, got.is_sync, got.return_value) == (True, False, None)
    assert got.created_at == got.updated_at == "2026-01-01T00:00:00.000000Z"
    assert store.sessions.get("ses_2") is None


def _new(sid: str, project_id: str = "prj_1", **ids: str) -> NewSession:
    """A session with some of deployment_id, trigger_id, event_id."""
    return NewSession(
        session_id=sid,
        project_id=project_id,
        entry_path="main.py",
        entry_name="f",
        inputs={},
        deployment_id=ids.get("deployment_id", ""),
        trigger_id=ids.get("trigger_id", ""),
        event_id=ids.get("event_id", ""),
    )


def test_find_filters_and_pages_newest_first(store: Store) -> None:
    from akcli.store.interface.sessions import SessionFilter

    with store.tx():
        store.sessions.create(
            _new("ses_1", deployment_id="dep_1"), "2026-01-01T00:00:01Z"
        )
        store.sessions.create(_new("ses_2", trigger_id="trg_1"), "2026-01-01T00:00:02Z")
        store.sessions.create(_new("ses_3", project_id="prj_2"), "2026-01-01T00:00:03Z")
        store.sessions.create(_new("ses_4", event_id="evt_1"), "2026-01-01T00:00:03Z")

    def ids(f: SessionFilter, limit: int = 10, offset: int = 0) -> list[str]:
        return [r.session_id for r in store.sessions.find(f, limit, offset)]

    everything = SessionFilter()
    assert ids(everything) == ["ses_4", "ses_3", "ses_2", "ses_1"]
    assert ids(everything, 2, 1) == ["ses_3", "ses_2"]
    assert ids(SessionFilter(project_id="prj_1")) == ["ses_4", "ses_2", "ses_1"]
    assert ids(SessionFilter(deployment_id="dep_1")) == ["ses_1"]
    assert ids(SessionFilter(trigger_id="trg_1")) == ["ses_2"]
    assert ids(SessionFilter(event_id="evt_1")) == ["ses_4"]
    assert ids(SessionFilter(state=SessionState.CREATED)) == ids(everything)
    assert ids(SessionFilter(state=SessionState.RUNNING)) == []
    window = SessionFilter(
        created_after="2026-01-01T00:00:02Z", created_before="2026-01-01T00:00:03Z"
    )
    assert ids(window) == ["ses_2"]
    assert store.sessions.latest_id("prj_1") == "ses_4"
    assert store.sessions.latest_id("prj_9") is None


def test_state_counts_and_live_sessions_of_a_deployment(store: Store) -> None:
    from tests.store import seed

    with store.tx():
        for sid in ("ses_1", "ses_2", "ses_3"):
            store.sessions.create(_new(sid, deployment_id="dep_1"), "t0")
    assert store.sessions.state_counts("dep_1") == {SessionState.CREATED: 3}
    assert store.sessions.state_counts("dep_2") == {}
    assert store.sessions.deployment_has_live("dep_1")
    assert not store.sessions.deployment_has_live("dep_2")
    seed.session_state(store, "ses_1", SessionState.RUNNING)
    seed.session_state(store, "ses_2", SessionState.COMPLETED)
    seed.session_state(store, "ses_3", SessionState.ERROR)
    assert store.sessions.state_counts("dep_1") == {
        SessionState.RUNNING: 1,
        SessionState.COMPLETED: 1,
        SessionState.ERROR: 1,
    }
    assert store.sessions.deployment_has_live("dep_1")
    seed.session_state(store, "ses_1", SessionState.STOPPED)
    assert not store.sessions.deployment_has_live("dep_1")


def test_delete_session_and_what_it_wrote(store: Store) -> None:
    from tests.store import seed

    with store.tx():
        store.sessions.create(_new("ses_1"), "t0")
        store.sessions.create(_new("ses_2"), "t0")
    for sid in ("ses_1", "ses_2"):
        store.logs.append(sid, [{"print": "x"}], "t1")
        seed.print_(store, sid, "k1", "t1", "hello")
        seed.journal(store, sid, 1, "sleep", "json", '{"wake_at": 1}')
    with store.tx():
        store.logs.delete_for_session("ses_1")
        store.prints.delete_for_session("ses_1")
        store.journal.delete_for_session("ses_1")
        store.sessions.delete("ses_1")
    assert store.sessions.get("ses_1") is None
    assert store.logs.after("ses_1") == []
    assert store.prints.page("ses_1", 0, 10, 1 << 20) == ([], False)
    assert store.journal.sleeps("ses_1") == []
    assert store.sessions.get("ses_2") is not None
    assert len(store.logs.after("ses_2")) == 1
    assert len(store.prints.page("ses_2", 0, 10, 1 << 20)[0]) == 1
    assert len(store.journal.sleeps("ses_2")) == 1


def test_in_state_is_oldest_first_and_limited(store: Store) -> None:
    from tests.store.seed import session

    session(store, "ses_b", "2026-01-01T00:00:02.000000Z")
    session(store, "ses_a", "2026-01-01T00:00:01.000000Z")
    session(store, "ses_c", "2026-01-01T00:00:03.000000Z")
    store.sessions.mark_running("ses_c", "t1")
    created = store.sessions.in_state(SessionState.CREATED)
    assert [r.session_id for r in created] == ["ses_a", "ses_b"]
    assert [r.session_id for r in store.sessions.in_state(SessionState.CREATED, 1)] == [
        "ses_a"
    ]
    (running,) = store.sessions.in_state(SessionState.RUNNING)
    assert (running.session_id, running.state, running.updated_at) == (
        "ses_c",
        SessionState.RUNNING,
        "t1",
    )
    assert store.sessions.in_state(SessionState.COMPLETED) == []


def test_finish_ends_created_or_running_once(store: Store) -> None:
    from tests.store.seed import session

    session(store, "ses_1")
    session(store, "ses_2")
    store.sessions.mark_running("ses_1", "t1")
    assert store.sessions.finish(
        "ses_1",
        SessionState.COMPLETED,
        error="",
        return_value='{"v": 1}',
        stop_reason="",
        t="t2",
    )
    assert store.sessions.finish(
        "ses_2",
        SessionState.ERROR,
        error="boom",
        return_value="null",
        stop_reason="",
        t="t3",
    )
    # Already final: a second end changes nothing.
    assert not store.sessions.finish(
        "ses_1",
        SessionState.STOPPED,
        error="",
        return_value="null",
        stop_reason="x",
        t="t4",
    )
    assert not store.sessions.finish(
        "ses_x",
        SessionState.ERROR,
        error="",
        return_value="null",
        stop_reason="",
        t="t4",
    )
    one, two = store.sessions.get("ses_1"), store.sessions.get("ses_2")
    assert one is not None and two is not None
    assert (one.state, one.return_value, one.stop_reason, one.updated_at) == (
        SessionState.COMPLETED,
        '{"v": 1}',
        "",
        "t2",
    )
    assert (two.state, two.error) == (SessionState.ERROR, "boom")


def test_stop_created_only_stops_created(store: Store) -> None:
    from tests.store.seed import session

    session(store, "ses_1")
    session(store, "ses_2")
    store.sessions.mark_running("ses_2", "t1")
    assert store.sessions.stop_created("ses_1", "asked", "t2")
    assert not store.sessions.stop_created("ses_1", "again", "t3")
    assert not store.sessions.stop_created("ses_2", "running", "t3")
    one, two = store.sessions.get("ses_1"), store.sessions.get("ses_2")
    assert one is not None and two is not None
    assert (one.state, one.stop_reason, one.updated_at) == (
        SessionState.STOPPED,
        "asked",
        "t2",
    )
    assert (two.state, two.stop_reason) == (SessionState.RUNNING, "")


def test_running_durable_among_and_move_build(store: Store) -> None:
    from tests.store.seed import session

    session(store, "ses_b", "2026-01-01T00:00:02.000000Z", is_durable=True)
    session(store, "ses_a", "2026-01-01T00:00:01.000000Z", is_durable=True)
    session(store, "ses_p", is_durable=False)
    session(store, "ses_o", project_id="prj_2", is_durable=True)
    session(store, "ses_c", is_durable=True)  # stays CREATED
    with store.tx():
        for sid in ("ses_a", "ses_b", "ses_p", "ses_o"):
            store.sessions.mark_running(sid, "t")
    got = store.sessions.running_durable("prj_1")
    assert [r.session_id for r in got] == ["ses_a", "ses_b"]
    assert all(r.state is SessionState.RUNNING for r in got)
    among = store.sessions.running_among(["ses_b", "ses_c", "ses_p", "ses_x"])
    assert sorted(r.session_id for r in among) == ["ses_b", "ses_p"]
    assert store.sessions.running_among([]) == []
    with store.tx():
        assert store.sessions.move_build("ses_a", "bld_2", "dep_2")
        assert not store.sessions.move_build("ses_c", "bld_2", "dep_2")
    moved = store.sessions.get("ses_a")
    assert moved is not None and (moved.build_id, moved.deployment_id) == (
        "bld_2",
        "dep_2",
    )
    created = store.sessions.get("ses_c")
    assert created is not None and created.build_id == ""


def test_sessions_of_an_event(store: Store) -> None:
    from tests.store.seed import session

    session(store, "ses_1", event_id="evt_1")
    session(store, "ses_2", event_id="evt_1")
    assert store.sessions.any_for_event("evt_1")
    assert not store.sessions.any_for_event("evt_2")
    assert store.sessions.live_for_event("evt_1")
    with store.tx():
        for sid, state in (
            ("ses_1", SessionState.COMPLETED),
            ("ses_2", SessionState.ERROR),
        ):
            store.sessions.finish(
                sid, state, error="", return_value="null", stop_reason="", t="t"
            )
    assert store.sessions.any_for_event("evt_1")
    assert not store.sessions.live_for_event("evt_1")
    assert not store.sessions.live_for_event("evt_2")


def test_parent_of(store: Store) -> None:
    from tests.store.seed import session

    session(store, "ses_p")
    session(store, "ses_c", parent_session_id="ses_p")
    assert store.sessions.parent_of("ses_c") == "ses_p"
    assert store.sessions.parent_of("ses_p") == ""
    assert store.sessions.parent_of("ses_x") == ""
    assert store.sessions.exists("ses_c") and not store.sessions.exists("ses_x")
