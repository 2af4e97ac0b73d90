"""Contract: session log records are numbered 1, 2, ... per session, in one
scheme whoever appends them, and a rolled-back append leaves no number used."""

from __future__ import annotations

import pytest

from akcli.store.interface import Store
from akcli.store.interface.logs import LogRow
from akcli.store.interface.sessions import NewSession


@pytest.fixture(autouse=True)
def _sessions(store: Store) -> None:
    for sid in ("ses_a", "ses_b"):
        store.sessions.create(
            NewSession(
                session_id=sid,
                project_id="prj_1",
                entry_path="p.py",
                entry_name="f",
                inputs={},
            ),
            "t0",
        )


def test_numbering_is_per_session_and_continues(store: Store) -> None:
    assert store.logs.last_seq("ses_a") == 0
    assert store.logs.append("ses_a", [{"state": {"created": {}}}], "t1") == 1
    assert store.logs.append("ses_a", [{"print": "x"}, {"print": "y"}], "t2") == 3
    assert store.logs.append("ses_b", [{"print": "z"}], "t3") == 1
    assert store.logs.append("ses_a", [], "t4") == 3
    got = store.logs.after("ses_a")
    assert [(r.seq, r.t, r.record) for r in got] == [
        (1, "t1", {"state": {"created": {}}}),
        (2, "t2", {"print": "x"}),
        (3, "t2", {"print": "y"}),
    ]
    assert [r.seq for r in store.logs.after("ses_a", after_seq=2)] == [3]


def test_rolled_back_append_leaves_no_gap(store: Store) -> None:
    store.logs.append("ses_a", [{"n": 1}], "t")
    with pytest.raises(RuntimeError), store.tx():
        store.logs.append("ses_a", [{"n": 2}], "t")
        raise RuntimeError("undo")
    assert store.logs.append("ses_a", [{"n": 3}], "t") == 2
    assert [r.record["n"] for r in store.logs.after("ses_a")] == [1, 3]


def test_page_skips_and_orders_both_ways(store: Store) -> None:
    store.logs.append("ses_a", [{"n": i} for i in range(1, 6)], "t1")
    store.logs.append("ses_b", [{"n": 99}], "t1")

    def ns(rows: list[LogRow]) -> list[int]:
        return [r.record["n"] for r in rows]

    assert ns(store.logs.page("ses_a", 2)) == [1, 2]
    assert ns(store.logs.page("ses_a", 2, 2)) == [3, 4]
    assert ns(store.logs.page("ses_a", 10, 4)) == [5]
    assert ns(store.logs.page("ses_a", 2, newest_first=True)) == [5, 4]
    assert ns(store.logs.page("ses_a", 2, 3, newest_first=True)) == [2, 1]
    [first] = store.logs.page("ses_a", 1)
    assert (first.session_id, first.seq, first.t) == ("ses_a", 1, "t1")


def test_delete_for_session_leaves_others(store: Store) -> None:
    store.logs.append("ses_a", [{"n": 1}], "t1")
    store.logs.append("ses_b", [{"n": 2}], "t1")
    with store.tx():
        store.logs.delete_for_session("ses_a")
    assert store.logs.after("ses_a") == []
    assert store.logs.last_seq("ses_b") == 1


def test_encoded_records_share_the_numbering(store: Store) -> None:
    store.logs.append("ses_a", [{"state": {"running": {}}}], "t1")
    got = store.logs.append_encoded(
        "ses_a", [("t0", '{"call_spec": {"seq": 1}}'), ("t2", '{"done": 1}')]
    )
    assert got == 3
    assert store.logs.append("ses_a", [{"stop_request": {}}], "t3") == 4
    assert store.logs.append_encoded("ses_a", []) == 4
    assert store.logs.append_encoded("ses_b", [("t4", "{}")]) == 1
    assert [(r.seq, r.t, r.record) for r in store.logs.after("ses_a")] == [
        (1, "t1", {"state": {"running": {}}}),
        (2, "t0", {"call_spec": {"seq": 1}}),
        (3, "t2", {"done": 1}),
        (4, "t3", {"stop_request": {}}),
    ]


def test_encoded_many_records_in_one_append(store: Store) -> None:
    records = [(f"t{i}", f'{{"n": {i}}}') for i in range(40)]
    assert store.logs.append_encoded("ses_a", records) == 40
    assert [r.record["n"] for r in store.logs.after("ses_a")] == list(range(40))


def test_rolled_back_encoded_append_leaves_no_gap(store: Store) -> None:
    with pytest.raises(RuntimeError), store.tx():
        store.logs.append_encoded("ses_a", [("t", '{"n": 1}')])
        raise RuntimeError("undo")
    assert store.logs.append_encoded("ses_a", [("t", '{"n": 2}')]) == 1
