"""Saved forecasts, versioned by name: saving under a name again makes the next version.

A forecast keeps its points (calls, band, AHT per interval), the model, the backtest accuracy and the
manual overrides applied, so plans built from it stay explainable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from callops.errors import NotFound
from callops.scheduling import ForecastPoint, SavedForecast
from callops.store.engine import new_id
from callops.store.schema import forecast_points, forecasts

__all__ = ["ForecastEntry", "save_forecast", "load_forecast", "list_forecasts"]


@dataclass(frozen=True, slots=True)
class ForecastEntry:
    """One saved version, without its points."""

    name: str
    version: int
    created_at: dt.datetime
    queue: str | None
    grain_min: int
    model: str
    forecast_id: int


def save_forecast(conn: sa.Connection, forecast: SavedForecast, *, now: dt.datetime) -> SavedForecast:
    """Store ``forecast`` as the next version of its name; returns it with id, version and time."""
    latest = conn.execute(
        sa.select(sa.func.max(forecasts.c.version)).where(forecasts.c.name == forecast.name)
    ).scalar_one()
    version = (latest or 0) + 1
    result = conn.execute(
        forecasts.insert().values(
            name=forecast.name,
            version=version,
            created_at=now,
            created_by=forecast.created_by,
            queue=forecast.queue,
            grain_min=forecast.grain_min,
            model=forecast.model,
            accuracy=forecast.accuracy,
            overrides=list(forecast.overrides),
            tz=forecast.tz,
        )
    )
    forecast_id = new_id(result)
    if forecast.points:
        conn.execute(
            forecast_points.insert(),
            [
                {"forecast_id": forecast_id, "interval_start_at": p.start_at, "calls": p.calls, "lo": p.lo,
                 "hi": p.hi, "aht_s": p.aht_s}
                for p in forecast.points
            ],
        )
    return load_forecast(conn, forecast.name, version)


def load_forecast(conn: sa.Connection, name: str, version: int | None = None) -> SavedForecast:
    """The forecast ``name`` at ``version`` (default: the newest); NotFound if there is none."""
    query = sa.select(forecasts).where(forecasts.c.name == name)
    if version:
        query = query.where(forecasts.c.version == version)
    head = conn.execute(query.order_by(forecasts.c.version.desc()).limit(1)).first()
    if head is None:
        raise NotFound(f"no saved forecast {name!r}" + (f" version {version}" if version else ""))
    rows = conn.execute(
        sa.select(forecast_points)
        .where(forecast_points.c.forecast_id == head.id)
        .order_by(forecast_points.c.interval_start_at)
    )
    points = tuple(
        ForecastPoint(start_at=r.interval_start_at, calls=r.calls, lo=r.lo, hi=r.hi, aht_s=r.aht_s) for r in rows
    )
    return SavedForecast(
        name=head.name,
        grain_min=head.grain_min,
        model=head.model,
        tz=head.tz,
        points=points,
        queue=head.queue,
        accuracy=dict(head.accuracy),
        overrides=tuple(head.overrides),
        version=head.version,
        created_at=head.created_at,
        created_by=head.created_by,
        forecast_id=head.id,
    )


def list_forecasts(conn: sa.Connection) -> list[ForecastEntry]:
    """Every saved forecast version, newest first."""
    f = forecasts.c
    query = sa.select(f.name, f.version, f.created_at, f.queue, f.grain_min, f.model, f.id).order_by(
        f.created_at.desc(), f.name, f.version.desc()
    )
    return [
        ForecastEntry(name=r.name, version=r.version, created_at=r.created_at, queue=r.queue,
                      grain_min=r.grain_min, model=r.model, forecast_id=r.id)
        for r in conn.execute(query)
    ]
