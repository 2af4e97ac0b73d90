"""Temporal-style cron expressions: parsing, errors and next firing times."""

from datetime import UTC, datetime, timedelta

import pytest

from akcli.cronexpr import parse

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def nexts(expr: str, start: datetime = T0, n: int = 3, tz: str = "") -> list[str]:
    s = parse(expr, tz)
    out: list[str] = []
    t: datetime | None = start
    for _ in range(n):
        assert t is not None
        t = s.next_after(t)
        assert t is None or t.tzinfo is UTC
        out.append(t.isoformat() if t else "never")
    return out


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("*/5 * * * *", ["00:05:00", "00:10:00"]),
        ("0 * * * *", ["01:00:00", "02:00:00"]),
        ("*/1 * * * * * *", ["00:00:01", "00:00:02"]),
        ("30 */1 * * * * *", ["00:00:30", "00:01:30"]),
        ("5-5 * * * *", ["00:05:00", "01:05:00"]),
        ("5,10 * * * *", ["00:05:00", "00:10:00"]),
        ("@hourly", ["01:00:00", "02:00:00"]),
        ("@every 1s", ["00:00:01", "00:00:02"]),
        ("@every 90s", ["00:01:30", "00:03:00"]),
        ("@every 1h30m", ["01:30:00", "03:00:00"]),
        ("@every 1h/15m", ["00:15:00", "01:15:00"]),
        ("@every 1.5m", ["00:01:30", "00:03:00"]),
    ],
)
def test_same_day(expr: str, expected: list[str]) -> None:
    got = nexts(expr, n=2)
    assert [g[11:19] for g in got] == expected
    assert all(g.startswith("2024-01-01") for g in got)


@pytest.mark.parametrize(
    ("expr", "first"),
    [
        ("@daily", "2024-01-02T00:00:00+00:00"),
        ("@midnight", "2024-01-02T00:00:00+00:00"),
        ("@weekly", "2024-01-07T00:00:00+00:00"),
        ("@monthly", "2024-02-01T00:00:00+00:00"),
        ("@yearly", "2025-01-01T00:00:00+00:00"),
        ("@annually", "2025-01-01T00:00:00+00:00"),
        ("@every 1d", "2024-01-02T00:00:00+00:00"),
        ("0 9 * * MON-FRI", "2024-01-01T09:00:00+00:00"),
        ("0 0 1 JAN *", "2025-01-01T00:00:00+00:00"),
        ("0 0 * * 7", "2024-01-07T00:00:00+00:00"),
        ("0 0 1 1 * 2027", "2027-01-01T00:00:00+00:00"),
        ("0 0 0 1 6 * 2026-2028", "2026-06-01T00:00:00+00:00"),
        ("CRON_TZ=America/New_York 0 9 * * *", "2024-01-01T14:00:00+00:00"),
        ("TZ=Asia/Tokyo 0 9 * * *", "2024-01-02T00:00:00+00:00"),
    ],
)
def test_first_firing(expr: str, first: str) -> None:
    assert nexts(expr, n=1) == [first]


def test_years_run_out() -> None:
    assert nexts("0 0 1 1 * 2025", n=2) == ["2025-01-01T00:00:00+00:00", "never"]
    assert nexts("0 0 1 1 * 2023", n=1) == ["never"]


def test_year_step() -> None:
    got = nexts("0 0 1 1 * 2030/2", n=3)
    assert [g[:4] for g in got] == ["2030", "2032", "2034"]


def test_timezone_argument() -> None:
    assert nexts("0 9 * * *", n=1, tz="Europe/Paris") == ["2024-01-01T08:00:00+00:00"]


def test_dst_spring_forward_new_york() -> None:
    # 2024-03-10 02:30 does not exist in New York.
    start = datetime(2024, 3, 9, 12, tzinfo=UTC)
    got = nexts("0 9 * * *", start=start, n=3, tz="America/New_York")
    # 09:00 EST is 14:00Z; 09:00 EDT is 13:00Z.
    assert got == [
        "2024-03-09T14:00:00+00:00",
        "2024-03-10T13:00:00+00:00",
        "2024-03-11T13:00:00+00:00",
    ]
    times = nexts("30 2 * * *", start=start, n=3, tz="America/New_York")
    parsed = [datetime.fromisoformat(t) for t in times]
    assert parsed == sorted(parsed) and len(set(parsed)) == 3


def test_dst_fall_back_hourly_is_strictly_increasing() -> None:
    start = datetime(2024, 11, 3, 3, 0, tzinfo=UTC)
    got = [
        datetime.fromisoformat(t)
        for t in nexts("0 * * * *", start=start, n=5, tz="America/New_York")
    ]
    assert all(b - a == timedelta(hours=1) for a, b in zip(got, got[1:], strict=False))


def test_every_is_epoch_aligned() -> None:
    s = parse("@every 7s")
    t = s.next_after(datetime(2024, 1, 1, 0, 0, 0, 500, tzinfo=UTC))
    assert t is not None
    assert int(t.timestamp()) % 7 == 0


def test_naive_datetime_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse("@hourly").next_after(datetime(2024, 1, 1))


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("", "empty expression"),
        ("* * *", "expected 5, 6 or 7 fields, got 3"),
        ("* * * * * * * *", "expected 5, 6 or 7 fields, got 8"),
        ("61 * * * *", "minute field '61': out of range"),
        ("* 24 * * *", "hour field '24'"),
        ("* * 32 * *", "day-of-month field '32'"),
        ("* * * 13 *", "month field '13'"),
        ("* * * * 8", "day-of-week field '8'"),
        ("60 * * * * * *", "second field '60'"),
        ("*/0 * * * *", "minute field '*/0': step '0'"),
        ("a b c d e", "minute field 'a'"),
        ("0 0 31 2 *", "can never occur"),
        ("* * * * * 1800", "year out of range"),
        ("* * * * * 2030-2025", "invalid year range"),
        ("* * * * * abc", "invalid year"),
        ("@foo", "unknown shorthand '@foo'"),
        ("@every", "missing duration"),
        ("@every 0s", "interval must be positive"),
        ("@every 5x", "invalid duration '5x'"),
        ("@every 5m/zz", "invalid duration 'zz'"),
        ("TZ=Nope/Nope * * * * *", "unknown time zone 'Nope/Nope'"),
        ("CRON_TZ=UTC * * * * *", None),
    ],
)
def test_invalid(expr: str, reason: str | None) -> None:
    if reason is None:
        parse(expr)
        return
    with pytest.raises(ValueError) as ei:
        parse(expr)
    msg = str(ei.value)
    assert msg.startswith(f'invalid cron expression "{expr}": ')
    assert reason in msg
    assert "\n" not in msg


def test_bad_timezone_argument() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Base'"):
        parse("* * * * *", "Mars/Base")


def test_conflicting_timezones() -> None:
    with pytest.raises(ValueError, match="conflicting timezones"):
        parse("TZ=UTC * * * * *", "Europe/Paris")
    assert parse("TZ=UTC * * * * *", "UTC").timezone == "UTC"
