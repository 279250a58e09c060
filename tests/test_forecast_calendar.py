"""Holiday calendars: China with 调休 (chinese_calendar, holidays outside its years), US, Israel, none."""

from __future__ import annotations

import datetime as dt

import pytest

from callops.errors import InvalidInput
from callops.forecast import holiday_calendar


def test_china_2024_national_day_and_swapped_saturday() -> None:
    """1 October 2024 is a holiday; Saturday 12 October 2024 is a working day; 13 October is neither."""
    calendar = holiday_calendar("CN", dt.date(2024, 9, 1), dt.date(2024, 10, 31))
    assert calendar.is_holiday(dt.date(2024, 10, 1))
    assert calendar.is_working_weekend(dt.date(2024, 10, 12))
    assert not calendar.is_holiday(dt.date(2024, 10, 13))
    assert not calendar.is_working_weekend(dt.date(2024, 10, 13))


def test_china_before_chinese_calendar_years_uses_holidays_package() -> None:
    """For 2003 the National Day week and the swapped weekend of 27-28 September still come out."""
    calendar = holiday_calendar("cn", dt.date(2003, 9, 1), dt.date(2003, 10, 31))
    assert calendar.is_holiday(dt.date(2003, 10, 1))
    assert calendar.is_working_weekend(dt.date(2003, 9, 27))


@pytest.mark.parametrize(("country", "day"), [("US", dt.date(2003, 7, 4)), ("IL", dt.date(1999, 9, 20))])
def test_other_countries(country: str, day: dt.date) -> None:
    """US Independence Day 2003 and Yom Kippur 1999 are holidays of their calendars."""
    assert holiday_calendar(country, day.replace(day=1), day + dt.timedelta(days=30)).is_holiday(day)


def test_none_has_no_holidays() -> None:
    """The empty calendar knows no holidays."""
    calendar = holiday_calendar("none", dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert calendar.country is None
    assert not calendar.holidays


def test_unknown_country_is_refused() -> None:
    """A country without a calendar names the field."""
    with pytest.raises(InvalidInput, match="field holidays"):
        holiday_calendar("XX", dt.date(2024, 1, 1), dt.date(2024, 12, 31))
