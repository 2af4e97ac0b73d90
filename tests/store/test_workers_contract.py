"""Claims between workers: two connections to one database race for the same
event, schedule tick, session and wake-up; exactly one wins each (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from akcli.store.db import Database
from akcli.store.interface import Store
from akcli.store.sqlite import SqliteStore
from tests.store import seed


@pytest.fixture(params=["sqlite", "postgres"])
def pair(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Store, Store]]:
    stores: list[Store]
    if request.param == "sqlite":
        path = tmp_path / "ak.sqlite"
        stores = [SqliteStore(Database(path)), SqliteStore(Database(path))]
    else:
        from akcli.store.postgres import PostgresStore
        from akcli.store.postgres.db import PgDatabase

        dsn = request.getfixturevalue("pg_fresh_dsn")
        stores = [PostgresStore(PgDatabase(dsn)), PostgresStore(PgDatabase(dsn))]
    yield stores[0], stores[1]
    for s in stores:
        s.close()  # type: ignore[attr-defined]


def test_one_worker_claims_an_event(pair: tuple[Store, Store]) -> None:
    a, b = pair
    with a.tx():
        a.events.add(
            event_id="evt_1",
            destination_id="trg_1",
            project_id="prj_1",
            event_type="tick",
            data={},
            memo={},
            created_at=seed.T0,
            dispatched=False,
        )
    [row] = b.events.pending(0, 10)
    with a.tx():
        won_a = a.events.claim(row.seq)
    with b.tx():
        won_b = b.events.claim(row.seq)
    assert (won_a, won_b) == (True, False)
    assert b.events.pending(0, 10) == []


def test_one_worker_fires_a_tick(pair: tuple[Store, Store]) -> None:
    a, b = pair
    seed.project(a)
    seed.trigger(a, "trg_1", source_type="SOURCE_TYPE_SCHEDULE", schedule="@every 1s")
    with a.tx():
        assert a.triggers.move_last_fire("trg_1", None, "t1")
    with b.tx():
        assert not b.triggers.move_last_fire("trg_1", None, "t1b")  # first seen twice
    # Both read last_fire t1; the tick of t2 is fired by one of them only.
    with b.tx():
        assert b.triggers.move_last_fire("trg_1", "t1", "t2")
    with a.tx():
        assert not a.triggers.move_last_fire("trg_1", "t1", "t2")


def test_one_worker_starts_a_session(pair: tuple[Store, Store]) -> None:
    a, b = pair
    seed.session(a, "ses_1")
    with a.tx():
        won_a = a.sessions.mark_running("ses_1", seed.T0, "w_a")
    with b.tx():
        won_b = b.sessions.mark_running("ses_1", seed.T0, "w_b")
    assert (won_a, won_b) == (True, False)
    assert b.workers.orphaned_running("w_b", 0.0) == ["ses_1"]  # w_a never beat


def test_takeover_of_a_session_owned_by_nobody(pair: tuple[Store, Store]) -> None:
    a, b = pair
    seed.session(a, "ses_1")
    with a.tx():
        a.sessions.mark_running("ses_1", seed.T0)  # e.g. RUNNING before 0024
    assert b.workers.orphaned_running("w_b", float("inf")) == ["ses_1"]
    with b.tx():
        assert b.sessions.take_over("ses_1", "w_b", set())
    assert a.workers.orphaned_running("w_a", 0.0) == ["ses_1"]  # w_b never beat
    with a.tx():
        assert a.sessions.take_over("ses_1", "w_a", set())
        assert not a.sessions.take_over("ses_1", "w_a", set())  # its own already


def test_takeover_only_from_dead_workers(pair: tuple[Store, Store]) -> None:
    a, b = pair
    seed.session(a, "ses_1")
    with a.tx():
        a.workers.register("w_a", "h", 1, seed.T0, 100.0)
        a.workers.register("w_b", "h", 2, seed.T0, 100.0)
        a.sessions.mark_running("ses_1", seed.T0, "w_a")
    assert b.workers.orphaned_running("w_b", 50.0) == []  # w_a is live
    with a.tx():
        a.workers.heartbeat("w_b", 200.0)
    assert b.workers.live(150.0) == {"w_b"}
    assert b.workers.orphaned_running("w_b", 150.0) == ["ses_1"]
    with b.tx():
        assert b.sessions.take_over("ses_1", "w_b", {"w_b"})
    with a.tx():  # a third worker racing for it finds it taken by a live one
        assert not a.sessions.take_over("ses_1", "w_c", {"w_b"})


def test_one_worker_wakes_an_evicted_session(pair: tuple[Store, Store]) -> None:
    a, b = pair
    seed.session(a, "ses_1")
    with a.tx():
        a.sessions.mark_running("ses_1", seed.T0, "w_a")
        a.waits.put_evicted("ses_1", 3, "sleep", [], 1.0, seed.T0)
    with a.tx():
        won_a = a.waits.mark_resumed("ses_1")
    with b.tx():
        won_b = b.waits.mark_resumed("ses_1")
    assert (won_a, won_b) == (True, False)


def test_stop_requests_kept_for_the_owner(pair: tuple[Store, Store]) -> None:
    a, b = pair
    seed.session(a, "ses_1")
    with a.tx():
        a.sessions.mark_running("ses_1", seed.T0, "w_a")
        a.workers.add_stop("ses_1", "first", False, seed.T0)
    with b.tx():
        b.workers.add_stop("ses_1", "enough", True, seed.T0)
    [req] = a.workers.stops_for("w_a")
    assert (req.session_id, req.reason, req.force) == ("ses_1", "enough", True)
    assert b.workers.stops_for("w_b") == []
    with a.tx():
        a.workers.delete_stop("ses_1")
    assert a.workers.stops_for("w_a") == []


def test_a_newer_run_fences_off_the_older(pair: tuple[Store, Store]) -> None:
    """Run epochs (engine temporal): the run that took the session last is the
    only one `run_is` accepts, whichever connection asks."""
    a, b = pair
    seed.session(a, "ses_1")
    with a.tx():
        first = a.sessions.new_run("ses_1")
    assert a.sessions.run_is("ses_1", first) and b.sessions.run_is("ses_1", first)
    with b.tx():
        second = b.sessions.new_run("ses_1")
    assert second == first + 1
    assert not a.sessions.run_is("ses_1", first)
    assert a.sessions.run_is("ses_1", second)
    assert not a.sessions.run_is("ses_nope", second)
