"""Contract: prints are paged by id, by count and by size."""

from __future__ import annotations

from akcli.store.interface import Store
from akcli.store.interface.sessions import NewSession
from tests.store import seed


def _session(store: Store, sid: str) -> None:
    with store.tx():
        store.sessions.create(
            NewSession(
                session_id=sid,
                project_id="p",
                entry_path="m.py",
                entry_name="f",
                inputs={},
            ),
            "t0",
        )


def test_page_by_count_and_bytes(store: Store) -> None:
    _session(store, "ses_1")
    _session(store, "ses_2")
    for i in range(1, 6):
        seed.print_(store, "ses_1", f"k{i}", f"t{i}", "x" * i)
    seed.print_(store, "ses_2", "k1", "t1", "other")
    rows, more = store.prints.page("ses_1", 0, 2, 1 << 20)
    assert [r.text for r in rows] == ["x", "xx"] and more
    assert (rows[0].session_id, rows[0].key, rows[0].t) == ("ses_1", "k1", "t1")
    rows2, more = store.prints.page("ses_1", rows[-1].id, 10, 1 << 20)
    assert [r.text for r in rows2] == ["xxx", "xxxx", "xxxxx"] and not more
    # The byte budget: stop once reached, but always take the first.
    rows3, more = store.prints.page("ses_1", 0, 10, 3)
    assert [r.text for r in rows3] == ["x", "xx"] and more
    rows4, more = store.prints.page("ses_1", rows2[0].id - 1, 10, 1)
    assert [r.text for r in rows4] == ["xxx"] and more
    assert store.prints.page("ses_1", rows2[-1].id, 10, 1) == ([], False)
