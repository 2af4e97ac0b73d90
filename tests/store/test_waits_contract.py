"""Contract: an ended session's waits are dropped, not another session's."""

from __future__ import annotations

from akcli.store.interface import Store
from tests.store import seed


def test_delete_for_session(store: Store) -> None:
    seed.session(store, "ses_1")
    seed.session(store, "ses_2")
    seed.wait(store, "ses_1")
    seed.wait(store, "ses_2", op="next_signal")
    with store.tx():
        store.waits.delete_for_session("ses_1")
        store.waits.delete_for_session("ses_x")
    assert not seed.has_wait(store, "ses_1")
    assert seed.has_wait(store, "ses_2")
