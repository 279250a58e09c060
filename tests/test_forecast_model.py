"""The model base: operating hours, holidays, 调休 working weekends, naive/aware output."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from callops.forecast import History, WeeklyAverage, history_from_datetimes, holiday_calendar

WEEKDAY_FACTOR = (1.3, 1.0, 0.95, 0.95, 1.1, 0.5, 0.4)


def _expected(day: dt.date, slot_start: dt.time) -> float:
    hours = slot_start.hour + slot_start.minute / 60
    return float(40.0 * WEEKDAY_FACTOR[day.weekday()] * (1.0 + 0.8 * np.sin(np.pi * (hours - 8) / 10)))


def _center(
    first: dt.date,
    days: int,
    *,
    rng: np.random.Generator,
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4),
    day_factor: Callable[[dt.date], float] = lambda d: 1.0,
    tz: dt.tzinfo | None = None,
) -> History:
    """A center open 08:00-18:00 on ``weekdays`` with 15-minute Poisson counts."""
    starts: list[dt.datetime] = []
    calls: list[float] = []
    for k in range(days):
        day = first + dt.timedelta(days=k)
        factor = day_factor(day)
        if day.weekday() not in weekdays or factor == 0:
            continue
        for slot in range(40):
            start = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=15 * slot)
            starts.append(start.replace(tzinfo=tz))
            calls.append(float(rng.poisson(_expected(day, start.time()) * factor)))
    return history_from_datetimes(starts, calls)


def test_no_rows_for_closed_hours_and_days() -> None:
    """Forecast rows cover exactly the weekday 08:00-18:00 slots seen in history, nothing else."""
    rng = np.random.default_rng(1)
    history = _center(dt.date(2024, 4, 1), 42, rng=rng)
    calendar = holiday_calendar(None, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    forecast = WeeklyAverage(grain_min=15, calendar=calendar).fit(history).predict(14)
    times = forecast.starts.tolist()
    assert len(times) == 10 * 40
    assert all(t.weekday() < 5 and dt.time(8) <= t.time() < dt.time(18) for t in times)
    assert {(t.weekday(), t.time()) for t in times} == {
        (s.weekday(), s.time()) for s in history.starts.tolist()
    }


def test_forecast_recovers_the_weekly_and_intraday_pattern() -> None:
    """On a noisy series with known expectation the forecast is within 6 % of it (WAPE)."""
    rng = np.random.default_rng(2)
    history = _center(dt.date(2024, 4, 1), 56, rng=rng)
    calendar = holiday_calendar(None, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    forecast = WeeklyAverage(grain_min=15, calendar=calendar).fit(history).predict(7)
    truth = np.array([_expected(t.date(), t.time()) for t in forecast.starts.tolist()])
    assert np.abs(forecast.mean - truth).sum() / truth.sum() < 0.06


def _national_day_history(holiday_factor: float) -> History:
    """Weekdays of Aug-Sep 2024 with the Mid-Autumn Festival (16-17 Sep) at ``holiday_factor`` of normal."""
    calendar = holiday_calendar("CN", dt.date(2024, 8, 1), dt.date(2024, 9, 30))

    def factor(day: dt.date) -> float:
        return holiday_factor if calendar.is_holiday(day) else 1.0

    return _center(dt.date(2024, 8, 5), 56, rng=np.random.default_rng(3), day_factor=factor)


def test_national_day_is_closed_when_past_holidays_were_closed() -> None:
    """With no calls on past holidays, 1-7 October 2024 gets no rows, but 8 October does."""
    history = _national_day_history(0.0)
    calendar = holiday_calendar("CN", dt.date(2024, 8, 1), dt.date(2024, 11, 30))
    model = WeeklyAverage(grain_min=15, calendar=calendar).fit(history)
    days = {t.date() for t in model.predict(14).starts.tolist()}
    assert model.holiday_effect.closed
    assert not any(dt.date(2024, 10, d) in days for d in range(1, 8))
    assert dt.date(2024, 10, 8) in days


def test_national_day_is_low_when_past_holidays_were_low() -> None:
    """With past holidays at 30 %, National Day is forecast at about 30 % of an ordinary Tuesday."""
    history = _national_day_history(0.3)
    calendar = holiday_calendar("CN", dt.date(2024, 8, 1), dt.date(2024, 11, 30))
    model = WeeklyAverage(grain_min=15, calendar=calendar).fit(history)
    forecast = model.predict(14)
    day = np.array([t.date() for t in forecast.starts.tolist()])
    holiday = forecast.mean[day == dt.date(2024, 10, 1)].sum()
    ordinary = forecast.mean[day == dt.date(2024, 10, 8)].sum()
    assert not model.holiday_effect.closed
    assert 0.2 < holiday / ordinary < 0.4


def test_swapped_working_saturday_is_forecast_like_a_working_day() -> None:
    """Saturday 12 October 2024 (调休) gets weekday-sized rows; Sunday 13 October gets none."""
    history = _national_day_history(0.0)
    calendar = holiday_calendar("CN", dt.date(2024, 8, 1), dt.date(2024, 11, 30))
    forecast = WeeklyAverage(grain_min=15, calendar=calendar).fit(history).predict(21)
    day = np.array([t.date() for t in forecast.starts.tolist()])
    saturday = forecast.mean[day == dt.date(2024, 10, 12)]
    assert len(saturday) == 40
    assert not np.any(day == dt.date(2024, 10, 13))
    weekday_mean = forecast.mean[(day >= dt.date(2024, 10, 8)) & (day <= dt.date(2024, 10, 11))].sum() / 4
    assert 0.85 < saturday.sum() / weekday_mean < 1.15


def test_aware_history_gives_aware_rows_naive_gives_naive() -> None:
    """Rows come back with the input's UTC offset, or without a zone when the input had none."""
    zone = dt.timezone(dt.timedelta(hours=8))
    calendar = holiday_calendar(None, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    for tz, suffix in ((zone, "+08:00"), (None, ":00")):
        history = _center(dt.date(2024, 4, 1), 21, rng=np.random.default_rng(4), tz=tz)
        rows = WeeklyAverage(grain_min=15, calendar=calendar).fit(history).predict(7).rows()
        assert rows[0]["interval_start"] == "2024-04-22T08:00:00" + ("+08:00" if tz else "")
        assert str(rows[0]["interval_start"]).endswith(suffix)
