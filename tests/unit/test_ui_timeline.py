"""The web UI's timeline: bars from log records and timers, prints interleaved."""

from __future__ import annotations

from akcli.server.ui import timeline

T0 = "2026-01-01T00:00:00.000000Z"


def t(seconds: float) -> str:
    whole, frac = divmod(seconds, 1)
    return f"2026-01-01T00:00:{int(whole):02d}.{round(frac * 1e6):06d}Z"


def spec(seq: int, name: str, *args: str) -> dict[str, object]:
    return {"function": {"name": name}, "args": list(args), "kwargs": {}, "seq": seq}


RECORDS = [
    {"t": t(0), "state": {"created": {}}},
    {"t": t(0.1), "state": {"running": {}}},
    {"t": t(1), "call_spec": spec(1, "work", "2")},
    {"t": t(1), "call_attempt_start": {"seq": 1}},
    {"t": t(3), "call_attempt_complete": {"seq": 1, "is_error": False}},
    {"t": t(4), "call_spec": spec(3, "charge", "42")},
    {"t": t(4), "call_attempt_start": {"seq": 3}},
    {"t": t(4.5), "call_attempt_start": {"seq": 3}},
    {"t": t(5), "call_attempt_complete": {"seq": 3, "is_error": True}},
]
PRINTS = [{"id": 1, "t": t(0.5), "v": "hello"}, {"id": 2, "t": t(3.5), "v": "mid"}]
TIMERS = [{"seq": 2, "started_at": t(3), "wake_at": timeline.parse_time(t(4))}]


def test_bars_to_scale_in_order() -> None:
    tl = timeline.build(
        RECORDS,
        PRINTS,
        TIMERS,
        start=timeline.parse_time(T0),
        end=timeline.parse_time(t(10)),
        running=False,
    )
    assert [(b.kind, b.name, b.duration) for b in tl.bars] == [
        ("activity", "work", "2.00s"),
        ("timer", "sleep", "1.00s"),
        ("activity", "charge", "1.00s"),
    ]
    work, sleep, charge = tl.bars
    assert (work.left, work.width) == (10.0, 20.0)
    assert (sleep.left, sleep.width) == (30.0, 10.0)
    assert charge.failed and charge.attempts == 2 and not work.failed
    assert charge.args == "charge(42)"
    assert tl.span == "10.00s"


def test_prints_interleaved_with_records() -> None:
    tl = timeline.build(
        RECORDS,
        PRINTS,
        [],
        start=timeline.parse_time(T0),
        end=timeline.parse_time(t(10)),
        running=False,
    )
    assert [(e.kind, e.text) for e in tl.entries] == [
        ("state", "state: CREATED"),
        ("state", "state: RUNNING"),
        ("print", "hello"),
        ("call", "call #1: work(2)"),
        ("attempt", "call #1 returned"),
        ("print", "mid"),
        ("call", "call #3: charge(42)"),
        ("attempt", "call #3 failed"),
    ]
    assert tl.entries[-1].failed


def test_unfinished_activity_runs_to_now_or_is_cut_off() -> None:
    records = RECORDS[:3]
    live = timeline.build(
        records, [], [], start=0, end=timeline.parse_time(t(6)), running=True
    )
    assert live.bars[0].running and not live.bars[0].failed
    assert live.bars[0].duration == "5.00s"
    ended = timeline.build(
        records, [], [], start=0, end=timeline.parse_time(t(6)), running=False
    )
    assert ended.bars[0].failed and not ended.bars[0].running


def test_formatting() -> None:
    assert timeline.fmt_duration(0.0123) == "12ms"
    assert timeline.fmt_duration(0.9999) == "1.00s"
    assert timeline.fmt_duration(125) == "2m05s"
    assert timeline.fmt_duration(3 * 3600 + 60) == "3h01m"
    assert timeline.fmt_time(T0) == "2026-01-01 00:00:00"
    err = "error: ValueError('card declined')\n\nTraceback (most recent call last):\n"
    assert timeline.first_line(err) == "ValueError('card declined')"
    assert timeline.first_line("") == ""


def test_retried_activity_attempts() -> None:
    records = [
        {"t": t(1), "call_spec": spec(1, "fetch", "'u'")},
        {"t": t(1), "call_attempt_start": {"seq": 1, "attempt": 1}},
        {
            "t": t(1.5),
            "call_attempt_complete": {
                "seq": 1,
                "is_error": True,
                "attempt": 1,
                "error": "ConnectionError('down')",
            },
        },
        {"t": t(2.5), "call_spec": spec(3, "fetch", "'u'")},
        {"t": t(2.5), "call_attempt_start": {"seq": 3, "attempt": 2}},
        {
            "t": t(3),
            "call_attempt_complete": {"seq": 3, "is_error": False, "attempt": 2},
        },
    ]
    backoff = [{"seq": 2, "started_at": t(1.5), "wake_at": timeline.parse_time(t(2.5))}]
    tl = timeline.build(
        records, [], backoff, start=0, end=timeline.parse_time(t(4)), running=False
    )
    assert [(b.name, b.attempt, b.failed, b.error) for b in tl.bars] == [
        ("fetch", 1, True, "ConnectionError('down')"),
        ("sleep", 0, False, ""),
        ("fetch", 2, False, ""),
    ]
    texts = [e.text for e in tl.entries if e.kind == "attempt"]
    assert texts == [
        "call #1 failed (attempt 1): ConnectionError('down')",
        "call #3 returned (attempt 2)",
    ]


def test_sdk_calls_and_sleep_labels() -> None:
    records = [
        {"t": t(1), "sdk_call": {"op": "sleep", "args": {"seconds": "2"}, "seq": 1}},
        {"t": t(1), "sdk_call_complete": {"seq": 1, "is_error": False}},
        {
            "t": t(3),
            "sdk_call": {"op": "next_signal", "args": {"name": "go"}, "seq": 2},
        },
        {"t": t(5), "sdk_call_complete": {"seq": 2, "is_error": False}},
    ]
    timers = [{"seq": 1, "started_at": t(1), "wake_at": timeline.parse_time(t(3))}]
    tl = timeline.build(
        records, [], timers, start=0, end=timeline.parse_time(t(6)), running=False
    )
    assert [(b.kind, b.args, b.duration) for b in tl.bars] == [
        ("timer", "sleep(seconds=2)", "2.00s"),
        ("sdk", "next_signal(name=go)", "2.00s"),
    ]
    assert [e.text for e in tl.entries] == [
        "sdk #1: sleep(seconds=2)",
        "sdk #1 returned",
        "sdk #2: next_signal(name=go)",
        "sdk #2 returned",
    ]
