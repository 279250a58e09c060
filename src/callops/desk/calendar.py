"""Business hours and holidays: the clock SLAs count on.

    calendar = BusinessCalendar.from_mapping({"tz": "Asia/Shanghai",
        "hours": {"mon": ["09:00-12:00", "13:00-18:00"], ..., "sat": []},
        "holidays": ["2026-10-01"], "workdays": ["2026-10-10"]})   # 调休: a weekend day worked
    calendar.add_business_minutes(opened_at, 8 * 60)   # the instant 8 business hours later

A day's hours are intervals within the day; two that overlap are an error naming the field
(``hours.mon``). A holiday has no hours; a swapped working day (``workdays``) has Monday's.
Instants are aware datetimes; the arithmetic walks local days in the calendar's zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field

from callops.errors import InvalidInput

__all__ = ["BusinessCalendar", "DAY_NAMES", "MAX_SLA_DAYS"]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SLA_DAYS = 3660  # a walk longer than ten years of days is an error, not a hang
Span = tuple[dt.time, dt.time]


def _time(text: str, *, field: str) -> dt.time:
    if text.strip() in {"24:00", "24:00:00"}:
        return dt.time.max
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a time (HH:MM)", field=field) from None


def _span(text: str, *, field: str) -> Span:
    start_text, sep, end_text = text.partition("-")
    if not sep:
        raise InvalidInput(f"{text!r} is not a span HH:MM-HH:MM", field=field)
    start, end = _time(start_text, field=field), _time(end_text, field=field)
    if end <= start:
        raise InvalidInput(f"{text!r} ends before it starts", field=field)
    return start, end


def _check_no_overlap(spans: tuple[Span, ...], *, field: str) -> tuple[Span, ...]:
    ordered = tuple(sorted(spans))
    for (s1, e1), (s2, e2) in zip(ordered, ordered[1:], strict=False):
        if s2 < e1:
            raise InvalidInput(f"{s1:%H:%M}-{e1:%H:%M} overlaps {s2:%H:%M}-{e2:%H:%M}", field=field)
    return ordered


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Opening hours per weekday (Monday first), holidays without hours, swapped working days with Monday's."""

    tz: str = "Asia/Shanghai"
    hours: tuple[tuple[Span, ...], ...] = field(default_factory=lambda: tuple(
        ((dt.time(9), dt.time(18)),) if d < 5 else () for d in range(7)))
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if len(self.hours) != 7:
            raise InvalidInput("hours must name the seven weekdays", field="hours")
        for name, spans in zip(DAY_NAMES, self.hours, strict=True):
            _check_no_overlap(spans, field=f"hours.{name}")
        try:
            zoneinfo.ZoneInfo(self.tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"{self.tz!r} is not a time zone", field="tz") from None
        both = self.holidays & self.workdays
        if both:
            raise InvalidInput(f"{min(both)} is both a holiday and a working day", field="workdays")

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> BusinessCalendar:
        """A calendar from parsed YAML/JSON; a bad value is InvalidInput naming its field."""
        raw_hours = data.get("hours", {})
        if not isinstance(raw_hours, Mapping):
            raise InvalidInput("hours must map mon..sun to lists of HH:MM-HH:MM", field="hours")
        unknown = [k for k in raw_hours if k not in DAY_NAMES]
        if unknown:
            raise InvalidInput(f"unknown day(s) {', '.join(map(str, unknown))}; use {', '.join(DAY_NAMES)}",
                               field="hours")
        hours = []
        for name in DAY_NAMES:
            spans = raw_hours.get(name, [])
            if not isinstance(spans, list):
                raise InvalidInput("a list of HH:MM-HH:MM spans", field=f"hours.{name}")
            hours.append(tuple(_span(str(s), field=f"hours.{name}") for s in spans))
        return cls(tz=str(data.get("tz", "Asia/Shanghai")), hours=tuple(hours),
                   holidays=_days(data.get("holidays", []), field="holidays"),
                   workdays=_days(data.get("workdays", []), field="workdays"))

    def spans_on(self, day: dt.date) -> tuple[Span, ...]:
        """The business hours of the local ``day``."""
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.hours[0]
        return self.hours[day.weekday()]

    def _local_spans(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        zone = zoneinfo.ZoneInfo(self.tz)
        out = []
        for start, end in self.spans_on(day):
            lo = dt.datetime.combine(day, start, zone)
            hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone) if end == dt.time.max \
                else dt.datetime.combine(day, end, zone)
            out.append((lo, hi))
        return out

    def add_business_minutes(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """The instant ``minutes`` of business time after ``start`` (aware); UTC."""
        if start.tzinfo is None:
            raise InvalidInput("a business-time start needs a zone", field="start")
        left = dt.timedelta(minutes=minutes)
        day = start.astimezone(zoneinfo.ZoneInfo(self.tz)).date()
        for _ in range(MAX_SLA_DAYS):
            for lo, hi in self._local_spans(day):
                begin = max(lo, start)
                if begin >= hi:
                    continue
                if begin + left <= hi:
                    return (begin + left).astimezone(dt.UTC)
                left -= hi - begin
            day += dt.timedelta(days=1)
        raise InvalidInput(f"no {minutes} business minutes within {MAX_SLA_DAYS} days: the calendar has no hours",
                           field="hours")

    def business_minutes_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Business minutes in ``[start, end)`` (0 when end is not after start)."""
        if end <= start:
            return 0.0
        total = dt.timedelta()
        zone = zoneinfo.ZoneInfo(self.tz)
        day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
        if (last - day).days > MAX_SLA_DAYS:
            raise InvalidInput(f"more than {MAX_SLA_DAYS} days apart", field="end")
        while day <= last:
            for lo, hi in self._local_spans(day):
                a, b = max(lo, start), min(hi, end)
                if b > a:
                    total += b - a
            day += dt.timedelta(days=1)
        return total.total_seconds() / 60


def _days(value: object, *, field: str) -> frozenset[dt.date]:
    if not isinstance(value, list):
        raise InvalidInput("a list of YYYY-MM-DD days", field=field)
    out = set()
    for item in value:
        if isinstance(item, dt.date):
            out.add(item)
            continue
        try:
            out.add(dt.date.fromisoformat(str(item)))
        except ValueError:
            raise InvalidInput(f"{item!r} is not a day (YYYY-MM-DD)", field=field) from None
    return frozenset(out)
