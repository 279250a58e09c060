"""Saved forecasts on SQLite and PostgreSQL: versions by name, points round-trip, accuracy and overrides kept."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from callops.errors import NotFound
from callops.scheduling import ForecastPoint, SavedForecast
from callops.store.forecasts import list_forecasts, load_forecast, save_forecast

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def forecast(name: str = "march", calls: float = 100.0) -> SavedForecast:
    points = (ForecastPoint(T0, calls, lo=80.0, hi=121.5, aht_s=180.0),
              ForecastPoint(T0 + dt.timedelta(minutes=30), 42.25, lo=None, hi=None, aht_s=None))
    return SavedForecast(name=name, grain_min=30, model="regression", tz="Asia/Shanghai", points=points, queue="PS",
                         accuracy={"wape": 0.12, "seasonal_naive_wape": 0.2},
                         overrides=({"start": "2026-03-02T09:00:00", "end": "2026-03-02T12:00:00", "factor": 1.5,
                                     "value": None},), created_by="planner")


def test_save_versions_and_load(engine: sa.Engine) -> None:
    """Saving a name twice gives versions 1 and 2; loading returns the points, accuracy and overrides."""
    with engine.begin() as conn:
        first = save_forecast(conn, forecast(), now=NOW)
        second = save_forecast(conn, forecast(calls=90.0), now=NOW + dt.timedelta(hours=1))
    assert (first.version, second.version) == (1, 2)
    with engine.connect() as conn:
        newest = load_forecast(conn, "march")
        old = load_forecast(conn, "march", 1)
    assert newest.version == 2 and newest.points[0].calls == 90.0
    assert old.points == forecast().points
    assert old.accuracy == {"wape": 0.12, "seasonal_naive_wape": 0.2}
    assert old.overrides[0]["factor"] == 1.5
    assert (old.queue, old.tz, old.model, old.grain_min, old.created_by) == ("PS", "Asia/Shanghai", "regression", 30,
                                                                             "planner")
    assert old.created_at == NOW and old.forecast_id == first.forecast_id != second.forecast_id


def test_list_is_newest_first(engine: sa.Engine) -> None:
    """The list holds every version, newest first, without points."""
    with engine.begin() as conn:
        save_forecast(conn, forecast("a"), now=NOW)
        save_forecast(conn, forecast("b"), now=NOW + dt.timedelta(minutes=1))
        save_forecast(conn, forecast("a"), now=NOW + dt.timedelta(minutes=2))
        entries = list_forecasts(conn)
    assert [(e.name, e.version) for e in entries] == [("a", 2), ("b", 1), ("a", 1)]


def test_missing_forecast_is_not_found(engine: sa.Engine) -> None:
    """Loading a name or version that is not there raises NotFound."""
    with engine.begin() as conn:
        save_forecast(conn, forecast(), now=NOW)
        with pytest.raises(NotFound, match="version 7"):
            load_forecast(conn, "march", 7)
        with pytest.raises(NotFound):
            load_forecast(conn, "april")
