"""Contract: the journal's reads for timings and the timeline's timers."""

from __future__ import annotations

from akcli.store.interface import Store
from akcli.store.interface.sessions import NewSession
from tests.store import seed


def test_activity_timings_and_sleeps(store: Store) -> None:
    with store.tx():
        store.sessions.create(
            NewSession(
                session_id="ses_1",
                project_id="p",
                entry_path="m.py",
                entry_name="f",
                inputs={},
            ),
            "t0",
        )
    seed.journal(store, "ses_1", 1, "fetch", "pickle", "x", timings=(0.1, 0.2, 0.3))
    seed.journal(store, "ses_1", 2, "sleep", "json", '{"wake_at": 5}')
    seed.journal(store, "ses_1", 3, "sleep", "json", '"boom"', is_error=True)
    seed.journal(store, "ses_1", 4, "other", "pickle", "y")
    got = store.journal.activity_timings("ses_1")
    assert [(t.seq, t.name, t.queue_s, t.exec_s, t.commit_s) for t in got] == [
        (1, "fetch", 0.1, 0.2, 0.3),
        (4, "other", None, None, None),
    ]
    assert got[0].site == ""
    [sleep] = store.journal.sleeps("ses_1")
    assert (sleep.seq, sleep.value, sleep.created_at, sleep.is_error) == (
        2,
        '{"wake_at": 5}',
        "t2",
        False,
    )
    assert store.journal.activity_timings("ses_2") == []
