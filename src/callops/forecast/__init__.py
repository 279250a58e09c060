"""Call-volume forecasting: pure, from a plain series of interval starts and counts.

Every model has ``fit(history)`` returning the model and ``predict(horizon_days, levels)`` returning a
``Forecast``; ``forecast_calls`` chooses one by rolling-origin backtest against seasonal naive.
"""

from callops.forecast.accuracy import mase, wape
from callops.forecast.backtest import Backtest, ModelScore, backtest
from callops.forecast.calendar import HolidayCalendar, holiday_calendar
from callops.forecast.combination import Combination
from callops.forecast.daily import EtsDaily, WeeklyAverage
from callops.forecast.decomposition import Mstl
from callops.forecast.holiday_effect import HolidayEffect
from callops.forecast.model import GridModel, Model
from callops.forecast.naive import SeasonalNaive
from callops.forecast.overrides import apply_overrides, parse_override
from callops.forecast.regression import CalendarRegression
from callops.forecast.result import Band, Forecast, Override
from callops.forecast.selection import (
    AUTO_CANDIDATES,
    BASELINE,
    MODELS,
    ForecastRun,
    forecast_calls,
    parse_horizon,
)
from callops.forecast.series import (
    GRAINS_MIN,
    History,
    aggregate,
    history_from_datetimes,
    parse_grain,
    to_datetimes,
)
from callops.forecast.series_csv import read_series_csv

__all__ = [
    "AUTO_CANDIDATES",
    "BASELINE",
    "GRAINS_MIN",
    "MODELS",
    "Backtest",
    "Band",
    "CalendarRegression",
    "Combination",
    "EtsDaily",
    "Forecast",
    "ForecastRun",
    "GridModel",
    "HolidayCalendar",
    "HolidayEffect",
    "History",
    "Model",
    "ModelScore",
    "Mstl",
    "Override",
    "SeasonalNaive",
    "WeeklyAverage",
    "aggregate",
    "apply_overrides",
    "backtest",
    "forecast_calls",
    "history_from_datetimes",
    "holiday_calendar",
    "mase",
    "parse_grain",
    "parse_horizon",
    "parse_override",
    "read_series_csv",
    "to_datetimes",
    "wape",
]
