"""Report grains: the bucket the engines group by, and the calendar periods built from buckets.

Engines group by the local start of a fixed-width bucket (15, 30 or 60 minutes, or a day), which
is integer arithmetic on a local epoch and so portable SQL. Weeks (ISO, Monday first), months,
quarters, years and the whole-range total are unions of days, combined in Python from additive
measures.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from callops.errors import InvalidInput

__all__ = ["Grain", "parse_grain", "bucket_start", "period_start", "period_label", "shift_back", "shift_forward"]

_LOCAL_EPOCH = dt.datetime(1970, 1, 1)
_MINUTE_MS = 60_000


class Grain(StrEnum):
    MIN15 = "15min"
    MIN30 = "30min"
    MIN60 = "60min"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    TOTAL = "total"

    @property
    def bucket_ms(self) -> int:
        """Width of the bucket the engine groups by."""
        minutes = {Grain.MIN15: 15, Grain.MIN30: 30, Grain.MIN60: 60, Grain.HOUR: 60}.get(self, 1440)
        return minutes * _MINUTE_MS

    @property
    def intraday(self) -> bool:
        return self.bucket_ms < 1440 * _MINUTE_MS


_ALIASES = {"15": Grain.MIN15, "15m": Grain.MIN15, "30": Grain.MIN30, "30m": Grain.MIN30, "60": Grain.MIN60,
            "60m": Grain.MIN60, "interval": Grain.MIN30}


def parse_grain(text: str) -> Grain:
    """A grain from its name (``15min``, ``30min``, ``60min``, ``hour``, ``day``, ``week``, ``month``, ...)."""
    value = text.strip().lower()
    if value in _ALIASES:
        return _ALIASES[value]
    try:
        return Grain(value)
    except ValueError:
        raise InvalidInput(f"unknown grain {text!r}; use one of {', '.join(g.value for g in Grain)}",
                           field="grain") from None


def bucket_start(local_ms: int) -> dt.datetime:
    """The naive local datetime of a bucket start given as local epoch milliseconds."""
    return _LOCAL_EPOCH + dt.timedelta(milliseconds=local_ms)


def period_start(bucket: dt.datetime, grain: Grain, *, range_start: dt.date) -> dt.datetime:
    """The start of the ``grain`` period holding the bucket starting at ``bucket`` (naive local)."""
    if grain.intraday:
        return bucket
    day = bucket.date()
    match grain:
        case Grain.WEEK:
            day -= dt.timedelta(days=day.weekday())
        case Grain.MONTH:
            day = day.replace(day=1)
        case Grain.QUARTER:
            day = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        case Grain.YEAR:
            day = day.replace(month=1, day=1)
        case Grain.TOTAL:
            day = range_start
    return dt.datetime.combine(day, dt.time())


def period_label(start: dt.datetime, grain: Grain) -> str:
    """How a period is named in reports: ``1999-01-04T08:30``, ``1999-01-04``, ``1999-W01``, ``1999-Q1``."""
    match grain:
        case Grain.DAY:
            return start.date().isoformat()
        case Grain.WEEK:
            year, week, _ = start.isocalendar()
            return f"{year}-W{week:02d}"
        case Grain.MONTH:
            return f"{start.year}-{start.month:02d}"
        case Grain.QUARTER:
            return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
        case Grain.YEAR:
            return str(start.year)
        case Grain.TOTAL:
            return "total"
    return start.strftime("%Y-%m-%dT%H:%M")


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_first = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = (next_first - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _step(grain: Grain, span_days: int) -> tuple[int, int]:
    """(months, days) one comparison period spans: intraday grains compare with the day before."""
    match grain:
        case Grain.WEEK:
            return 0, 7
        case Grain.MONTH:
            return 1, 0
        case Grain.QUARTER:
            return 3, 0
        case Grain.YEAR:
            return 12, 0
        case Grain.TOTAL:
            return 0, span_days
    return 0, 1


def shift_back(day: dt.date, grain: Grain, *, span_days: int = 1) -> dt.date:
    """``day`` moved back one comparison period (one day for day and intraday grains)."""
    months, days = _step(grain, span_days)
    return _add_months(day, -months) - dt.timedelta(days=days)


def shift_forward(start: dt.datetime, grain: Grain, *, span_days: int = 1) -> dt.datetime:
    """A previous period's start moved forward onto the period it is compared with."""
    months, days = _step(grain, span_days)
    return dt.datetime.combine(_add_months(start.date(), months), start.time()) + dt.timedelta(days=days)
