"""Contract: a delivery seen before answers with its first events."""

from __future__ import annotations

from akcli.store.interface import Store


def test_integration_deliveries(store: Store) -> None:
    assert store.dedup.delivery_events("con_1", "d1") is None
    with store.tx():
        store.dedup.add_delivery("con_1", "d1", ["evt_1", "evt_2"], "t1")
    assert store.dedup.delivery_events("con_1", "d1") == ["evt_1", "evt_2"]
    assert store.dedup.delivery_events("con_2", "d1") is None
    assert store.dedup.delivery_events("con_1", "d2") is None


def test_webhook_deliveries_window_replace_and_drop(store: Store) -> None:
    with store.tx():
        store.dedup.remember_webhook("trg_1", "k", "evt_1", 100.0, 0.0)
        store.dedup.remember_webhook("trg_1", "old", "evt_0", 10.0, 0.0)
    assert store.dedup.webhook_event("trg_1", "k", 100.0) == "evt_1"
    assert store.dedup.webhook_event("trg_1", "k", 100.5) is None  # out of window
    assert store.dedup.webhook_event("trg_2", "k", 0.0) is None
    assert store.dedup.webhook_event("trg_1", "old", 0.0) == "evt_0"
    with store.tx():  # replaces "k", drops what is older than 50
        store.dedup.remember_webhook("trg_1", "k", "evt_2", 200.0, 50.0)
    assert store.dedup.webhook_event("trg_1", "k", 150.0) == "evt_2"
    assert store.dedup.webhook_event("trg_1", "old", 0.0) is None
