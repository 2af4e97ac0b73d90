"""Temporal-style cron expressions for schedule triggers (cli.md §6.2).

Accepted forms:

- 5 fields: ``minute hour day-of-month month day-of-week``;
- 6 fields: those plus ``year``;
- 7 fields: ``second minute hour day-of-month month day-of-week year``;
- shorthands ``@yearly @annually @monthly @weekly @daily @midnight @hourly``;
- ``@every <duration>[/<phase>]`` with Go-style durations plus days
  (``90s``, ``1h30m``, ``1d``), aligned to the Unix epoch plus the phase;
- an optional ``CRON_TZ=<tz>`` or ``TZ=<tz>`` prefix (IANA name).

Field matching is croniter's; this module only translates the expression to
croniter's 6-field "seconds first" form and handles what croniter gets wrong
for Temporal's dialect: the year field (filtered here), and an equal range
such as ``5-5`` (croniter widens it to the whole cycle, Temporal means ``5``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Schedule", "parse"]

_SHORTHANDS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)")
_EQUAL_RANGE = re.compile(r"^(\w+)-(\w+)(?:/\d+)?$")
_YEAR_MIN, _YEAR_MAX = 1970, 2199


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule; `next_after` gives the next firing time."""

    expr: str
    timezone: str
    cron: str | None  # croniter expression, seconds first; None for @every
    years: frozenset[int] | None  # None: any year
    every: timedelta | None
    phase: timedelta

    def next_after(self, t: datetime) -> datetime | None:
        """The first firing time strictly after `t`, as an aware UTC datetime.

        Returns None when the schedule never fires again (e.g. its years are past).
        """
        if t.tzinfo is None:
            raise ValueError("next_after needs an aware datetime")
        if self.every is not None:
            return self._next_interval(t)
        return self._next_cron(t)

    def _next_interval(self, t: datetime) -> datetime:
        assert self.every is not None
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        every_us = _micros(self.every)
        since = _micros(t.astimezone(UTC) - epoch) - _micros(self.phase)
        k = since // every_us + 1
        return epoch + self.phase + timedelta(microseconds=k * every_us)

    def _next_cron(self, t: datetime) -> datetime | None:
        from croniter import croniter

        assert self.cron is not None
        tz = ZoneInfo(self.timezone) if self.timezone else UTC
        start = t.astimezone(tz)
        for _ in range(1000):  # bound the year skipping; never reached in practice
            it = croniter(self.cron, start, second_at_beginning=True)
            try:
                nxt: datetime = it.get_next(datetime)
            except Exception:  # croniter gives up far in the future
                return None
            if self.years is None or nxt.year in self.years:
                return nxt.astimezone(UTC)
            later = [y for y in self.years if y > nxt.year]
            if not later:
                return None
            # Restart just before the next allowed year begins.
            start = datetime(min(later), 1, 1, tzinfo=tz) - timedelta(seconds=1)
        return None


def _micros(d: timedelta) -> int:
    return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds


def parse(expr: str, timezone: str = "") -> Schedule:
    """Parse a schedule expression; raise ValueError with the reason."""
    try:
        return _parse(expr, timezone)
    except ValueError as e:
        raise ValueError(f'invalid cron expression "{expr}": {e}') from None


def _parse(expr: str, timezone: str) -> Schedule:
    text = expr.strip()
    tz = timezone.strip()
    m = re.match(r"^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$", text)
    if m:
        prefix_tz, text = m.group(1), m.group(2).strip()
        if tz and tz != prefix_tz:
            raise ValueError(f"conflicting timezones {prefix_tz!r} and {tz!r}")
        tz = prefix_tz
    if tz:
        _check_tz(tz)
    if not text:
        raise ValueError("empty expression")
    if text.startswith("@every"):
        every, phase = _parse_every(text[len("@every") :].strip())
        return Schedule(expr, tz, None, None, every, phase)
    if text.startswith("@"):
        if text not in _SHORTHANDS:
            raise ValueError(f"unknown shorthand {text!r}")
        text = _SHORTHANDS[text]
    fields = text.split()
    if len(fields) == 5:
        second, rest, year = "0", fields, "*"
    elif len(fields) == 6:
        second, rest, year = "0", fields[:5], fields[5]
    elif len(fields) == 7:
        second, rest, year = fields[0], fields[1:6], fields[6]
    else:
        raise ValueError(f"expected 5, 6 or 7 fields, got {len(fields)}")
    cron = " ".join(_fix_equal_ranges(f) for f in [second, *rest])
    _check_croniter(cron)
    return Schedule(expr, tz, cron, _parse_years(year), None, timedelta(0))


def _check_tz(tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r}") from None


def _fix_equal_ranges(field: str) -> str:
    """`5-5` (or `5-5/2`) means just 5; croniter would read the whole cycle."""
    parts = []
    for part in field.split(","):
        m = _EQUAL_RANGE.match(part)
        if m and m.group(1).lower() == m.group(2).lower():
            part = m.group(1)
        parts.append(part)
    return ",".join(parts)


_FIELD_NAMES = ("second", "minute", "hour", "day-of-month", "month", "day-of-week")


def _check_croniter(cron: str) -> None:
    """Validate with croniter, naming the offending field when there is one."""
    reason = _croniter_error(cron)
    if reason is None:
        return
    fields = cron.split()
    for i, field in enumerate(fields):
        probe = ["*"] * len(fields)
        probe[i] = field
        field_reason = _croniter_error(" ".join(probe))
        if field_reason is not None:
            raise ValueError(f"{_FIELD_NAMES[i]} field {field!r}: {field_reason}")
    raise ValueError(reason)


def _croniter_error(cron: str) -> str | None:
    from croniter import croniter

    try:
        croniter.expand(cron, second_at_beginning=True, strict=True)
    except Exception as e:  # croniter raises several ValueError/KeyError kinds
        # croniter echoes its own translated expression; keep only the reason.
        reason = re.sub(r"^\[[^\]]*\]\s*", "", str(e)).strip()
        reason = re.sub(r"^is not acceptable,?\s*", "", reason)
        reason = re.sub(r"\s+in field \d+", "", reason).lstrip(" .,")
        return reason or "is not acceptable"
    return None


def _parse_years(field: str) -> frozenset[int] | None:
    if field in ("*", "?"):
        return None
    years: set[int] = set()
    for part in field.split(","):
        m = re.fullmatch(r"(\*|\d+)(?:-(\d+))?(?:/(\d+))?", part)
        if not m:
            raise ValueError(f"invalid year {part!r}")
        step = int(m.group(3) or 1)
        if step == 0:
            raise ValueError(f"invalid year step in {part!r}")
        if m.group(1) == "*":
            if m.group(2):
                raise ValueError(f"invalid year {part!r}")
            lo, hi = _YEAR_MIN, _YEAR_MAX
        else:
            lo = int(m.group(1))
            default_hi = _YEAR_MAX if m.group(3) else lo
            hi = int(m.group(2)) if m.group(2) else default_hi
        if not (_YEAR_MIN <= lo <= _YEAR_MAX and _YEAR_MIN <= hi <= _YEAR_MAX):
            raise ValueError(f"year out of range {_YEAR_MIN}-{_YEAR_MAX}: {part!r}")
        if lo > hi:
            raise ValueError(f"invalid year range {part!r}")
        years.update(range(lo, hi + 1, step))
    return frozenset(years)


def _parse_duration(text: str) -> timedelta:
    if not text:
        raise ValueError("missing duration")
    pos, total = 0, 0.0
    while pos < len(text):
        m = _DURATION_PART.match(text, pos)
        if not m:
            raise ValueError(f"invalid duration {text!r}")
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    return timedelta(seconds=total)


def _parse_every(text: str) -> tuple[timedelta, timedelta]:
    every_s, _, phase_s = text.partition("/")
    every = _parse_duration(every_s.strip())
    if every <= timedelta(0):
        raise ValueError("interval must be positive")
    phase = _parse_duration(phase_s.strip()) if phase_s else timedelta(0)
    return every, phase
