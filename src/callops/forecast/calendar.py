"""Holiday calendars: which dates are public holidays and which weekend dates are working days (调休).

China uses ``chinese_calendar`` (the State Council's published schedule, holidays and swapped working
weekends) for the years it covers and the ``holidays`` package otherwise; other countries come from
``holidays``. A calendar is plain data: two sets of dates over a span.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar
import holidays as holidays_lib

from callops.errors import InvalidInput

__all__ = ["COUNTRIES", "HolidayCalendar", "holiday_calendar"]

COUNTRIES = ("CN", "US", "IL")


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Public holidays and working weekend days (调休) of one country; ``country`` None means no calendar."""

    country: str | None
    holidays: frozenset[dt.date]
    working_weekends: frozenset[dt.date]

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.holidays

    def is_working_weekend(self, day: dt.date) -> bool:
        return day in self.working_weekends


def _chinese_calendar_years() -> range:
    known = sorted(chinese_calendar.holidays)
    return range(known[0].year, known[-1].year + 1)


def _china(first: dt.date, last: dt.date) -> tuple[set[dt.date], set[dt.date]]:
    covered = _chinese_calendar_years()
    off: set[dt.date] = set()
    working: set[dt.date] = set()
    other_years = [y for y in range(first.year, last.year + 1) if y not in covered]
    if other_years:
        table = holidays_lib.country_holidays("CN", years=other_years)
        off.update(table.keys())
        working.update(getattr(table, "weekend_workdays", set()))
    day = first
    while day <= last:
        if day.year in covered:
            if day in chinese_calendar.holidays:
                off.add(day)
            elif day.weekday() >= 5 and day in chinese_calendar.workdays:
                working.add(day)
        day += dt.timedelta(days=1)
    return off, working


def holiday_calendar(country: str | None, first: dt.date, last: dt.date) -> HolidayCalendar:
    """The calendar of ``country`` (CN, US, IL, or None/"none" for none) restricted to ``first``..``last``."""
    if country is None or country.lower() == "none":
        return HolidayCalendar(None, frozenset(), frozenset())
    code = country.upper()
    if code == "CN":
        off, working = _china(first, last)
    else:
        try:
            table = holidays_lib.country_holidays(code, years=range(first.year, last.year + 1))
        except NotImplementedError as exc:
            raise InvalidInput(
                f"no holiday calendar for {country!r}; use one of {', '.join(COUNTRIES)} or none",
                field="holidays",
            ) from exc
        off = set(table.keys())
        working = set(getattr(table, "weekend_workdays", set()))
    keep_off = frozenset(d for d in off if first <= d <= last)
    keep_working = frozenset(d for d in working if first <= d <= last and d.weekday() >= 5)
    return HolidayCalendar(code, keep_off, keep_working)
