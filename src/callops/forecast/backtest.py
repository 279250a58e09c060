"""Rolling-origin backtest: refit each model on the history up to an origin, forecast the next
``horizon_days`` days, compare with what happened; origins step back ``step_days`` from the end.

Every actual interval in a test window counts; where a model gave no row (it thought the center closed)
its forecast is 0. Intervals a model forecast but that have no row (missing data) are not scored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from callops.deadline import Deadline
from callops.errors import CallopsError
from callops.forecast.accuracy import mase, mase_scale, wape
from callops.forecast.calendar import HolidayCalendar
from callops.forecast.grid import build_layout
from callops.forecast.model import GridModel
from callops.forecast.series import History

__all__ = ["ModelScore", "Backtest", "backtest", "fold_origins"]


@dataclass(frozen=True, slots=True)
class ModelScore:
    """A model's pooled WAPE and mean MASE over the folds; ``error`` says why it could not be scored."""

    model: str
    wape: float
    mase: float
    folds: int
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Backtest:
    scores: tuple[ModelScore, ...]
    origins: tuple[dt.date, ...]
    horizon_days: int
    errors: Mapping[str, tuple[np.ndarray, np.ndarray]]

    def score(self, model: str) -> ModelScore | None:
        return next((s for s in self.scores if s.model == model), None)

    def best(self) -> ModelScore | None:
        usable = [s for s in self.scores if s.error is None and np.isfinite(s.wape)]
        return min(usable, key=lambda s: s.wape) if usable else None


def fold_origins(
    history: History, *, horizon_days: int, folds: int, step_days: int, min_train_days: int
) -> list[dt.date]:
    """Origins (first test day) from the latest back, keeping at least ``min_train_days`` of training."""
    days = history.starts.astype("datetime64[D]")
    first = days[0].item()
    end = days[-1].item() + dt.timedelta(days=1)
    out = []
    for k in range(folds):
        origin = end - dt.timedelta(days=horizon_days + k * step_days)
        if (origin - first).days >= min_train_days:
            out.append(origin)
    return sorted(out)


def _cut(history: History, start: dt.date | None, end: dt.date) -> History:
    lo = np.datetime64(start, "m") if start is not None else history.starts[0]
    keep = (history.starts >= lo) & (history.starts < np.datetime64(end, "m"))
    return History(starts=history.starts[keep], calls=history.calls[keep], tz=history.tz)


def backtest(
    factories: Mapping[str, Callable[[], GridModel]],
    history: History,
    *,
    grain_min: int,
    calendar: HolidayCalendar,
    horizon_days: int,
    origins: list[dt.date],
    deadline: Deadline | None = None,
) -> Backtest:
    """Scores each model (by name) on every origin; ``history`` is already at ``grain_min``. A ``deadline`` is
    checked before each fit."""
    pooled: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {name: ([], []) for name in factories}
    mases: dict[str, list[float]] = {name: [] for name in factories}
    failures: dict[str, str] = {}
    for origin in origins:
        train = _cut(history, None, origin)
        test = _cut(history, origin, origin + dt.timedelta(days=horizon_days))
        if len(train.starts) == 0 or len(test.starts) == 0:
            continue
        scale_layout = build_layout(train, grain_min, calendar)
        days_ahead = (origin - scale_layout.first_day).days - scale_layout.n_days + horizon_days
        scale = mase_scale(scale_layout.sequence(), scale_layout.slots_per_week)
        for name, factory in factories.items():
            if name in failures:
                continue
            if deadline is not None:
                deadline.check("the forecast's model search")
            try:
                result = factory().fit(train).predict(days_ahead, levels=())
            except (CallopsError, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
                failures[name] = f"{type(exc).__name__}: {exc}"
                continue
            forecast = np.zeros(len(test.starts))
            at = np.searchsorted(result.starts, test.starts)
            found = (at < len(result.starts)) & (
                result.starts[np.minimum(at, len(result.starts) - 1)] == test.starts
            )
            forecast[found] = result.mean[at[found]]
            pooled[name][0].append(test.calls)
            pooled[name][1].append(forecast)
            mases[name].append(mase(test.calls, forecast, scale))
    scores = []
    errors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in factories:
        if name in failures or not pooled[name][0]:
            scores.append(
                ModelScore(name, float("nan"), float("nan"), 0, failures.get(name, "no fold fitted"))
            )
            continue
        actual = np.concatenate(pooled[name][0])
        forecast = np.concatenate(pooled[name][1])
        errors[name] = (actual, forecast)
        scores.append(
            ModelScore(name, wape(actual, forecast), _finite_mean(mases[name]), len(mases[name]))
        )
    return Backtest(scores=tuple(scores), origins=tuple(origins), horizon_days=horizon_days, errors=errors)


def _finite_mean(values: list[float]) -> float:
    """Mean of the finite values (a constant training series has no MASE scale): NaN when none."""
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")
