"""Contract: journal entries are written once per (session, seq) and read back
in order; commit times are recorded afterwards."""

from __future__ import annotations

import pytest

from akcli.store.interface import Store
from tests.store.seed import session


@pytest.fixture(autouse=True)
def _sessions(store: Store) -> None:
    session(store, "ses_a")
    session(store, "ses_b")


def test_add_get_and_order(store: Store) -> None:
    with store.tx():
        store.journal.add("ses_a", 2, "sleep", "json", '{"wake_at": 1.5}', False, "t2")
        store.journal.add(
            "ses_a",
            1,
            "act",
            "pickle",
            "gASV",
            True,
            "t1",
            site='["main.py", 3, "f", "x()"]',
            args_hash="h1",
            queue_s=0.25,
            exec_s=0.5,
        )
        store.journal.add("ses_b", 1, "other", "json", "1", False, "t3")
    one = store.journal.get("ses_a", 1)
    assert one is not None
    assert (one.name, one.kind, one.value, one.is_error, one.created_at) == (
        "act",
        "pickle",
        "gASV",
        True,
        "t1",
    )
    assert (one.site, one.args_hash, one.queue_s, one.exec_s, one.commit_s) == (
        '["main.py", 3, "f", "x()"]',
        "h1",
        0.25,
        0.5,
        None,
    )
    two = store.journal.get("ses_a", 2)
    assert two is not None
    # Without a call site or timings: the columns' defaults.
    assert (two.site, two.args_hash, two.queue_s, two.exec_s) == ("", "", None, None)
    assert store.journal.get("ses_a", 3) is None
    assert [(r.seq, r.name) for r in store.journal.for_session("ses_a")] == [
        (1, "act"),
        (2, "sleep"),
    ]
    assert store.journal.for_session("ses_x") == []


def test_a_replayed_entry_keeps_the_first(store: Store) -> None:
    store.journal.add("ses_a", 1, "act", "pickle", "first", False, "t1")
    store.journal.add("ses_a", 1, "act", "pickle", "second", True, "t2")
    got = store.journal.get("ses_a", 1)
    assert got is not None and (got.value, got.is_error) == ("first", False)


def test_commit_times(store: Store) -> None:
    for seq in (1, 2, 3):
        store.journal.add("ses_a", seq, "act", "pickle", "v", False, "t")
    with store.tx():
        store.journal.set_commit_times("ses_a", [(0.001, 1), (0.003, 3)])
        store.journal.set_commit_times("ses_a", [])
    assert [r.commit_s for r in store.journal.for_session("ses_a")] == [
        0.001,
        None,
        0.003,
    ]


def test_last(store: Store) -> None:
    assert store.journal.last("ses_a") is None
    with store.tx():
        store.journal.add("ses_a", 2, "sleep", "json", '{"wake_at": 1.5}', False, "t")
        store.journal.add("ses_a", 1, "f", "pickle", "x", True, "t")
        store.journal.add("ses_b", 9, "g", "pickle", "y", False, "t")
    last = store.journal.last("ses_a")
    assert last is not None
    assert (last.seq, last.name, last.value, last.is_error) == (
        2,
        "sleep",
        '{"wake_at": 1.5}',
        False,
    )


def test_add_many_is_add_of_each(store: Store) -> None:
    """The batch of a runner's journal file lines: as many `add`s, the first
    entry of a seq kept."""
    store.journal.add("ses_a", 2, "act", "pickle", "first", False, "t0")
    with store.tx():
        store.journal.add_many(
            "ses_a",
            [
                (1, "act", "pickle", "v1", False, "t1", '["m.py", 1, "f", "g()"]',
                 "h1", 0.25, 0.5),
                (2, "act", "pickle", "again", True, "t2", "", "", None, None),
                (3, "act", "pickle", "v3", True, "t3", "", "h3", None, 0.1),
            ],
        )  # fmt: skip
        store.journal.add_many("ses_b", [])
    rows = store.journal.for_session("ses_a")
    assert [
        (r.seq, r.value, r.is_error, r.created_at, r.site, r.args_hash, r.exec_s)
        for r in rows
    ] == [
        (1, "v1", False, "t1", '["m.py", 1, "f", "g()"]', "h1", 0.5),
        (2, "first", False, "t0", "", "", None),
        (3, "v3", True, "t3", "", "h3", 0.1),
    ]
    assert store.journal.for_session("ses_b") == []
