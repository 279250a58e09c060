"""forecast_calls: backtest against seasonal naive, choice, bands, overrides, report; the real bank series."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from callops.errors import InvalidInput
from callops.forecast import (
    History,
    forecast_calls,
    history_from_datetimes,
    parse_horizon,
    parse_override,
    read_series_csv,
)


def _series(days: int, seed: int) -> History:
    rng = np.random.default_rng(seed)
    starts = [dt.datetime(2024, 3, 4) + dt.timedelta(hours=h) for h in range(24 * days)]
    level = [1.0 + 0.2 * (s.weekday() == 0) for s in starts]
    shape = [0.2 + np.exp(-(((s.hour - 13) / 4.0) ** 2)) for s in starts]
    return history_from_datetimes(
        starts, [float(rng.poisson(30 * a * b)) for a, b in zip(level, shape, strict=True)]
    )


def test_auto_beats_seasonal_naive_and_reports_both() -> None:
    """On a noisy stable series the chosen model's backtest WAPE is below seasonal naive's, both reported."""
    run = forecast_calls(_series(56, 1), grain_min=60, horizon_days=7, holidays=None)
    report = run.report()
    names = [m["model"] for m in report["backtest"]["models"]]  # type: ignore[index]
    assert "seasonal_naive" in names
    assert report["model"] != "seasonal_naive"
    assert report["wape_ratio"] is not None and report["wape_ratio"] < 0.9  # type: ignore[operator]
    assert len(run.forecast.starts) == 7 * 24


def test_named_model_is_backtested_beside_the_baseline() -> None:
    """--model ets is used as asked and still compared with seasonal naive."""
    run = forecast_calls(_series(42, 2), grain_min=60, horizon_days=3, model="ets", holidays=None)
    assert run.forecast.model == "ets"
    assert {s.model for s in run.backtest.scores} == {"ets", "seasonal_naive"}  # type: ignore[union-attr]


def test_daily_grain_gives_one_row_a_day() -> None:
    """At grain day the forecast has one row per day, at midnight."""
    run = forecast_calls(_series(42, 3), grain_min=1440, horizon_days=10, holidays=None)
    assert [t.time() for t in run.forecast.starts.tolist()] == [dt.time(0)] * 10


def test_overrides_are_applied_and_reported() -> None:
    """An override halves one day and is listed in the report."""
    override = parse_override("2024-04-15,2024-04-16,0.5")
    plain = forecast_calls(
        _series(42, 4), grain_min=60, horizon_days=2, model="weekly_average", holidays=None
    )
    halved = forecast_calls(
        _series(42, 4),
        grain_min=60,
        horizon_days=2,
        model="weekly_average",
        holidays=None,
        overrides=[override],
    )
    assert np.allclose(halved.forecast.mean[:24], plain.forecast.mean[:24] * 0.5)
    assert np.allclose(halved.forecast.mean[24:], plain.forecast.mean[24:])
    assert halved.report()["overrides"] == [override.as_dict()]


def test_auto_needs_enough_history() -> None:
    """Two weeks cannot back-test a 14-day horizon: auto refuses and says to name a model."""
    with pytest.raises(InvalidInput, match="--model"):
        forecast_calls(_series(14, 5), grain_min=60, horizon_days=14, holidays=None)


def test_parse_horizon() -> None:
    """14d, 2w and 336h are all fourteen days."""
    assert parse_horizon("14d") == parse_horizon("2w") == parse_horizon("336h") == 14


def test_real_bank_series_beats_seasonal_naive(shared_data: Path) -> None:
    """Bank 2003 at 30 minutes, trained to 11 July: next week's WAPE beats seasonal naive's by 10 %+."""
    path = shared_data / "bank-calls-2003" / "bank_calls_5min.csv"
    with path.open(encoding="utf-8") as handle:
        full = read_series_csv(handle, source=str(path))
    cut = np.datetime64("2003-07-12T00:00")
    history = History(full.starts[full.starts < cut], full.calls[full.starts < cut])
    run = forecast_calls(history, grain_min=30, horizon_days=7, holidays="US")
    test = (full.starts >= cut) & (full.starts < cut + np.timedelta64(7, "D"))
    minutes = full.starts[test].astype(np.int64) // 30 * 30
    keys, inverse = np.unique(minutes, return_inverse=True)
    actual = np.bincount(inverse, weights=full.calls[test])
    predicted = dict(
        zip(run.forecast.starts.astype(np.int64).tolist(), run.forecast.mean.tolist(), strict=True)
    )
    forecast = np.array([predicted[k] for k in keys.tolist()])
    past = (full.starts >= cut - np.timedelta64(7, "D")) & (full.starts < cut)
    past_minutes = full.starts[past].astype(np.int64) // 30 * 30 + 7 * 1440
    past_keys, past_inverse = np.unique(past_minutes, return_inverse=True)
    naive = dict(
        zip(past_keys.tolist(), np.bincount(past_inverse, weights=full.calls[past]).tolist(), strict=True)
    )
    baseline = np.array([naive[k] for k in keys.tolist()])
    wape = np.abs(forecast - actual).sum() / actual.sum()
    wape_naive = np.abs(baseline - actual).sum() / actual.sum()
    assert wape < 0.9 * wape_naive
