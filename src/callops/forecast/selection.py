"""One call from a plain series to a forecast: aggregate to the grain, backtest the candidates against
seasonal naive, refit the chosen model on all the history, put backtest-error bands on it, apply overrides.

``model="auto"`` chooses the lowest backtest WAPE among ``AUTO_CANDIDATES`` (MSTL joins when the week has
at most ``MSTL_AUTO_MAX_SLOTS`` open slots: above that its STL passes take too long for an interactive
command). A named model is still backtested beside seasonal naive so its accuracy is reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from callops.deadline import Deadline
from callops.errors import InvalidInput
from callops.forecast.backtest import Backtest, backtest, fold_origins
from callops.forecast.bands import EmpiricalBands, check_levels
from callops.forecast.calendar import HolidayCalendar, holiday_calendar
from callops.forecast.combination import Combination
from callops.forecast.daily import EtsDaily, WeeklyAverage
from callops.forecast.decomposition import Mstl
from callops.forecast.grid import build_layout
from callops.forecast.holiday_effect import HolidayEffect
from callops.forecast.model import GridModel
from callops.forecast.naive import SeasonalNaive
from callops.forecast.overrides import apply_overrides
from callops.forecast.regression import CalendarRegression
from callops.forecast.result import Forecast, Override
from callops.forecast.series import History, aggregate

__all__ = ["MODELS", "AUTO_CANDIDATES", "BASELINE", "ForecastRun", "forecast_calls", "parse_horizon"]

MODELS: dict[str, type[GridModel]] = {
    "seasonal_naive": SeasonalNaive,
    "weekly_average": WeeklyAverage,
    "ets": EtsDaily,
    "regression": CalendarRegression,
    "mstl": Mstl,
    "combined": Combination,
}
BASELINE = "seasonal_naive"
AUTO_CANDIDATES = ("seasonal_naive", "weekly_average", "ets", "regression", "combined", "mstl")
MSTL_AUTO_MAX_SLOTS = 400
MAX_BACKTEST_DAYS = 28


@dataclass(frozen=True, slots=True)
class ForecastRun:
    """The forecast, the backtest behind the choice (None: history too short), the holiday rule."""

    forecast: Forecast
    backtest: Backtest | None
    holiday_effect: HolidayEffect
    holidays: str | None

    def report(self) -> dict[str, object]:
        """Accuracy and choices as plain data (for JSON)."""
        out: dict[str, object] = {
            "model": self.forecast.model,
            "grain_min": self.forecast.grain_min,
            "holidays": self.holidays or "none",
            "holiday_rule": "closed" if self.holiday_effect.closed else f"x{self.holiday_effect.factor:.3f}",
            "holidays_in_history": self.holiday_effect.observed,
            "overrides": [o.as_dict() for o in self.forecast.overrides],
            "rows": len(self.forecast.starts),
        }
        if self.backtest is None:
            out["backtest"] = None
            return out
        chosen = self.backtest.score(self.forecast.model)
        base = self.backtest.score(BASELINE)
        out["backtest"] = {
            "origins": [o.isoformat() for o in self.backtest.origins],
            "horizon_days": self.backtest.horizon_days,
            "models": [
                {
                    "model": s.model,
                    "wape": _num(s.wape),
                    "mase": _num(s.mase),
                    "folds": s.folds,
                    "error": s.error,
                }
                for s in self.backtest.scores
            ],
        }
        if chosen is not None and base is not None:
            out["wape"] = _num(chosen.wape)
            out["mase"] = _num(chosen.mase)
            out["seasonal_naive_wape"] = _num(base.wape)
            out["seasonal_naive_mase"] = _num(base.mase)
            out["wape_ratio"] = _num(chosen.wape / base.wape) if base.wape > 0 else None
            out["mase_ratio"] = _num(chosen.mase / base.mase) if base.mase > 0 else None
        return out


def _num(value: float) -> float | None:
    return round(float(value), 6) if np.isfinite(value) else None


def parse_horizon(text: str) -> int:
    """'14d', '2w', '14', '336h' -> days."""
    value = text.strip().lower()
    units = {"d": 1, "w": 7}
    try:
        if value.endswith("h") and value[:-1].isdigit() and int(value[:-1]) % 24 == 0:
            days = int(value[:-1]) // 24
        elif value[-1:] in units and value[:-1].isdigit():
            days = int(value[:-1]) * units[value[-1]]
        else:
            days = int(value)
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not a horizon such as 14d or 2w", field="horizon") from exc
    if not 1 <= days <= 366:
        raise InvalidInput(f"the horizon {text!r} must be 1 to 366 days", field="horizon")
    return days


def _factory(name: str, grain_min: int, calendar: HolidayCalendar) -> Callable[[], GridModel]:
    if name not in MODELS:
        raise InvalidInput(f"unknown model {name!r}; use auto or one of {', '.join(MODELS)}", field="model")
    return partial(MODELS[name], grain_min=grain_min, calendar=calendar)


def forecast_calls(
    history: History,
    *,
    grain_min: int,
    horizon_days: int,
    model: str = "auto",
    levels: Sequence[int] = (80, 95),
    holidays: str | None = "CN",
    overrides: Sequence[Override] = (),
    folds: int = 3,
    step_days: int = 7,
    deadline: Deadline | None = None,
) -> ForecastRun:
    """Forecast ``horizon_days`` days after the history's last day at ``grain_min``; a ``deadline`` bounds the
    model search (checked before each backtest fit)."""
    levels = check_levels(levels)
    series = aggregate(history, grain_min)
    first = series.starts[0].astype("datetime64[D]").item()
    last = series.starts[-1].astype("datetime64[D]").item()
    calendar = holiday_calendar(holidays, first, last + dt.timedelta(days=horizon_days + 14))
    slots_per_week = _open_slots_per_week(series, grain_min, calendar)
    if model == "auto":
        names = [n for n in AUTO_CANDIDATES if n != "mstl" or slots_per_week <= MSTL_AUTO_MAX_SLOTS]
    else:
        names = [BASELINE] if model == BASELINE else [BASELINE, model]
    factories = {name: _factory(name, grain_min, calendar) for name in names}
    bt_days = min(horizon_days, MAX_BACKTEST_DAYS)
    origins = fold_origins(series, horizon_days=bt_days, folds=folds, step_days=step_days, min_train_days=21)
    result: Backtest | None = None
    if origins:
        result = backtest(
            factories, series, grain_min=grain_min, calendar=calendar, horizon_days=bt_days, origins=origins,
            deadline=deadline,
        )
    if model == "auto":
        best = result.best() if result is not None else None
        if best is None:
            raise InvalidInput(
                "the history is too short to choose a model by backtest (it needs the horizon plus "
                "three weeks); name a model instead of auto (--model on the command line, model in the API)",
                field="model",
            )
        chosen = best.model
    else:
        chosen = model
    fitted = factories[chosen]().fit(series)
    if result is not None and chosen in result.errors:
        actual, predicted = result.errors[chosen]
        fitted.use_bands(EmpiricalBands.from_backtest(actual, predicted))
    forecast = fitted.predict(horizon_days, levels)
    if overrides:
        forecast = apply_overrides(forecast, overrides)
    return ForecastRun(
        forecast=forecast, backtest=result, holiday_effect=fitted.holiday_effect, holidays=calendar.country
    )


def _open_slots_per_week(series: History, grain_min: int, calendar: HolidayCalendar) -> int:
    return build_layout(series, grain_min, calendar).slots_per_week
