"""Contract: a session's subscriptions are found only by that session, move
their cursor, and stay readable (inactive) after unsubscribe."""

from __future__ import annotations

from akcli.store.interface import Store


def test_add_get_cursor_deactivate(store: Store) -> None:
    with store.tx():
        store.subscriptions.add("sub_1", "ses_1", "trg_1", "data.n > 1", 7)
    sub = store.subscriptions.get("sub_1", "ses_1")
    assert sub is not None
    assert (sub.destination_id, sub.filter, sub.cursor, sub.active) == (
        "trg_1",
        "data.n > 1",
        7,
        True,
    )
    assert store.subscriptions.get("sub_1", "ses_2") is None
    assert store.subscriptions.get("sub_x", "ses_1") is None
    with store.tx():
        store.subscriptions.set_cursor("sub_1", 9)
        store.subscriptions.deactivate("sub_1", "ses_2")  # not its own: no effect
    sub = store.subscriptions.get("sub_1", "ses_1")
    assert sub is not None and (sub.cursor, sub.active) == (9, True)
    with store.tx():
        store.subscriptions.deactivate("sub_1", "ses_1")
    sub = store.subscriptions.get("sub_1", "ses_1")
    assert sub is not None and not sub.active
