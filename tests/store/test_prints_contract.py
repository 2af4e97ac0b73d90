"""Contract: a print is stored once per key; a marker print can be rewritten;
the stored size is counted in UTF-8 bytes."""

from __future__ import annotations

from akcli.store.interface import Store
from tests.store.seed import session


def test_add_once_per_key_put_replaces_and_bytes(store: Store) -> None:
    session(store, "ses_a")
    session(store, "ses_b")
    assert store.prints.stored_bytes("ses_a") == 0
    assert store.prints.add("ses_a", "1", "t1", "héllo")
    assert not store.prints.add("ses_a", "1", "t2", "replayed")  # same key
    assert store.prints.add("ses_a", "2", "t3", "ok")
    assert store.prints.add("ses_b", "1", "t4", "other session")
    store.prints.put("ses_a", "marker", "t5", "3 dropped")
    store.prints.put("ses_a", "marker", "t6", "4 dropped")
    assert store.prints.stored_bytes("ses_a") == 6 + 2 + len("4 dropped")
    assert store.prints.stored_bytes("ses_a", except_key="marker") == 6 + 2
    assert store.prints.stored_bytes("ses_x") == 0


def test_nul_and_private_use_characters_round_trip(store: Store) -> None:
    # PostgreSQL's TEXT refuses NUL; a handler may print binary junk.
    session(store, "ses_a")
    texts = ["a\x00b", "\ue000", "\ue0000\x00\ue000\ue000", "plain"]
    for i, text in enumerate(texts):
        assert store.prints.add("ses_a", str(i), "t", text)
    rows, more = store.prints.page("ses_a", 0, 10, 1 << 20)
    assert [r.text for r in rows] == texts and not more
