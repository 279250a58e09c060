"""Rolling-origin backtest: origins, scoring every model against the same actuals."""

from __future__ import annotations

import datetime as dt
from functools import partial

import numpy as np

from callops.forecast import SeasonalNaive, WeeklyAverage, backtest, history_from_datetimes, holiday_calendar
from callops.forecast.backtest import fold_origins

CALENDAR = holiday_calendar(None, dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def _series(days: int) -> tuple[list[dt.datetime], list[float]]:
    rng = np.random.default_rng(11)
    starts = [dt.datetime(2024, 1, 1) + dt.timedelta(hours=h) for h in range(24 * days)]
    return starts, [float(rng.poisson(20 + 10 * np.sin(s.hour / 3))) for s in starts]


def test_origins_step_back_from_the_end_and_keep_training_days() -> None:
    """Three origins 7 days apart, the last one horizon days before the end."""
    history = history_from_datetimes(*_series(42))
    origins = fold_origins(history, horizon_days=7, folds=3, step_days=7, min_train_days=21)
    assert origins == [dt.date(2024, 1, 22), dt.date(2024, 1, 29), dt.date(2024, 2, 5)]
    assert fold_origins(history, horizon_days=7, folds=5, step_days=7, min_train_days=28) == origins[1:]


def test_averaging_model_beats_seasonal_naive_on_pure_noise_around_a_fixed_pattern() -> None:
    """With a stable pattern and Poisson noise the 4-week average scores a lower WAPE than seasonal naive."""
    history = history_from_datetimes(*_series(49))
    origins = fold_origins(history, horizon_days=7, folds=3, step_days=7, min_train_days=28)
    result = backtest(
        {
            "seasonal_naive": partial(SeasonalNaive, grain_min=60, calendar=CALENDAR),
            "weekly_average": partial(WeeklyAverage, grain_min=60, calendar=CALENDAR),
        },
        history,
        grain_min=60,
        calendar=CALENDAR,
        horizon_days=7,
        origins=origins,
    )
    naive, average = result.score("seasonal_naive"), result.score("weekly_average")
    assert naive is not None and average is not None
    assert naive.folds == average.folds == 3
    assert average.wape < 0.85 * naive.wape
    assert average.mase < naive.mase
    assert result.best() == average
