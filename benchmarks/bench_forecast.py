"""Forecast accuracy against seasonal naive on the two real series, side by side, ratios printed.

For each series and each origin: train on everything before the origin, forecast ``HORIZON_DAYS`` days with
``forecast_calls(model="auto")`` (choice by rolling-origin backtest inside the training data only), and score
both it and seasonal naive (the same slot 7 days earlier, further weeks back when missing) on every actual
interval of the test window. MASE divides by the in-sample seasonal naive MAE of the training data.

Run: .venv/bin/python benchmarks/bench_forecast.py
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np

from callops.forecast import History, aggregate, forecast_calls, read_series_csv

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
HORIZON_DAYS = 14
SERIES = [
    # name, file, grain (min), holidays, origins (first test day)
    (
        "bank 2003, 5 min (US)",
        DATA / "bank-calls-2003" / "bank_calls_5min.csv",
        5,
        "US",
        ["2003-05-12", "2003-06-09", "2003-06-23", "2003-07-07", "2003-07-28", "2003-08-11"],
    ),
    (
        "bank 2003, 5 min (CN default)",
        DATA / "bank-calls-2003" / "bank_calls_5min.csv",
        5,
        "CN",
        ["2003-05-12", "2003-06-09", "2003-06-23", "2003-07-07", "2003-07-28", "2003-08-11"],
    ),
    (
        "bank 2003, 30 min (US)",
        DATA / "bank-calls-2003" / "bank_calls_5min.csv",
        30,
        "US",
        ["2003-06-09", "2003-07-28", "2003-08-11"],
    ),
    (
        "Anonymous Bank 1999, hourly (IL)",
        DATA / "anonymous-bank-1999" / "hourly_arrivals_1999.csv",
        60,
        "IL",
        ["1999-03-14", "1999-03-28", "1999-04-11", "1999-04-25", "1999-05-09", "1999-05-23", "1999-06-06"],
    ),
]


def seasonal_naive(full: dict[int, float], starts: np.ndarray, train_end: int) -> np.ndarray:
    week = 7 * 1440
    out = []
    for t in starts.astype(np.int64).tolist():
        value = 0.0
        for k in range(1, 10):
            s = t - k * week
            if s <= train_end and s in full:
                value = full[s]
                break
        out.append(value)
    return np.array(out)


def mase_scale(train: History) -> float:
    index = dict(zip(train.starts.astype(np.int64).tolist(), train.calls.tolist(), strict=True))
    diffs = [abs(c - index[t - 7 * 1440]) for t, c in index.items() if t - 7 * 1440 in index]
    return float(np.mean(diffs))


def main() -> None:
    print(
        f"{'series':<34}{'origin':<12}{'model':<16}{'WAPE':>8}{'SN WAPE':>9}{'ratio':>7}"
        f"{'MASE':>8}{'SN MASE':>9}{'ratio':>7}{'s':>6}"
    )
    for name, path, grain, holidays, origins in SERIES:
        with path.open(encoding="utf-8") as handle:
            full = aggregate(read_series_csv(handle, source=str(path)), grain)
        lookup = dict(zip(full.starts.astype(np.int64).tolist(), full.calls.tolist(), strict=True))
        totals = np.zeros(4)
        for origin_text in origins:
            origin = np.datetime64(dt.date.fromisoformat(origin_text), "m")
            keep = full.starts < origin
            train = History(full.starts[keep], full.calls[keep])
            test = (full.starts >= origin) & (full.starts < origin + np.timedelta64(HORIZON_DAYS, "D"))
            started = time.perf_counter()
            gap_days = int((origin - train.starts[-1].astype("datetime64[D]")) // np.timedelta64(1, "D")) - 1
            run = forecast_calls(
                train, grain_min=grain, horizon_days=HORIZON_DAYS + gap_days, holidays=holidays
            )
            seconds = time.perf_counter() - started
            predicted = dict(
                zip(run.forecast.starts.astype(np.int64).tolist(), run.forecast.mean.tolist(), strict=True)
            )
            actual = full.calls[test]
            forecast = np.array([predicted.get(t, 0.0) for t in full.starts[test].astype(np.int64).tolist()])
            naive = seasonal_naive(lookup, full.starts[test], int(train.starts[-1].astype(np.int64)))
            scale = mase_scale(train)
            err, err0 = np.abs(forecast - actual), np.abs(naive - actual)
            wape, wape0 = err.sum() / actual.sum(), err0.sum() / actual.sum()
            mase, mase0 = err.mean() / scale, err0.mean() / scale
            totals += [err.sum(), err0.sum(), actual.sum(), 0]
            print(
                f"{name:<34}{origin_text:<12}{run.forecast.model:<16}"
                f"{wape:8.4f}{wape0:9.4f}{wape / wape0:7.3f}"
                f"{mase:8.3f}{mase0:9.3f}{mase / mase0:7.3f}{seconds:6.1f}"
            )
        print(
            f"{name:<34}{'pooled':<12}{'':<16}{totals[0] / totals[2]:8.4f}{totals[1] / totals[2]:9.4f}"
            f"{totals[0] / totals[1]:7.3f}"
        )


if __name__ == "__main__":
    main()
