"""Workforce planning between the store and the pure domain: forecasts from call history, plans from forecasts.

    forecast_history   offered calls per interval of a queue and date range, forecast by callops.forecast,
                       with AHT per forecast interval learned from the same history
    saved_forecast     that forecast as a SavedForecast (aware interval starts) ready to store
    plan_forecast      a SavedForecast x StaffingTargets -> StaffingPlan (callops.scheduling.build_plan)
    create_forecast    forecast_history + saved_forecast, stored as the next version of its name
    create_plan        a plan from a stored forecast or from history (its forecast stored too), stored
    load_plan_ref      "NAME" or "NAME@VERSION" -> the stored plan
    place_of           the zone and holiday calendar a queue's forecast uses: its site's, else the server's
                       zone (CALLOPS_TZ) and the CN calendar; with the last day of its calls in that zone

The forecast package imports statsforecast, which takes seconds to load: it is imported on first use.
Nothing here commits; the caller does.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from callops.deadline import Deadline
from callops.errors import InvalidInput
from callops.scheduling import (
    ForecastPoint,
    SavedForecast,
    StaffingPlan,
    StaffingTargets,
    build_plan,
    handle_time_profile,
)
from callops.store.call_volume import last_day_with_calls
from callops.store.forecasts import list_forecasts, load_forecast, save_forecast
from callops.store.history import IntervalSeries, arrival_series
from callops.store.plans import load_plan, save_plan
from callops.store.records import CallFilter
from callops.store.sites import site_of_queue

if TYPE_CHECKING:
    from callops.forecast import ForecastRun

__all__ = [
    "DEFAULT_CALENDAR",
    "MAX_HISTORY_POINTS",
    "SITE_CALENDAR",
    "Place",
    "NAME_MAX_CHARS",
    "check_name",
    "check_history_span",
    "HistoryForecast",
    "HistorySpec",
    "create_forecast",
    "create_plan",
    "forecast_history",
    "forecast_versions",
    "load_plan_ref",
    "parse_ref",
    "place_of",
    "plan_forecast",
    "saved_forecast",
    "stored_forecast",
    "stored_plan",
]


@dataclass(frozen=True, slots=True)
class HistoryForecast:
    """The history a forecast was made from, the forecast run, and the AHT per forecast interval."""

    queue: str | None
    tz: str
    history: IntervalSeries
    run: ForecastRun
    starts: tuple[dt.datetime, ...]  # forecast interval starts, local wall-clock (naive)
    aht_s: np.ndarray  # per forecast interval; NaN where the history has no handle time at all

    def report(self) -> dict[str, object]:
        return self.run.report()


SITE_CALENDAR = "site"  # holidays: the calendar of the queue's site (DEFAULT_CALENDAR without a site)
DEFAULT_CALENDAR = "CN"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a queue's calls happen: the zone and holiday calendar its forecasts use, and the last day with calls
    there (None without calls); ``site`` None when they are the server's defaults."""

    tz: str
    holidays: str | None
    site: str | None
    last_day: dt.date | None


def place_of(conn: sa.Connection, queue: str | None, *, fallback_tz: str) -> Place:
    """The zone and calendar of ``queue``'s site (None: the one site all queues share), else ``fallback_tz`` and
    the CN calendar; and the last day with calls of the queue in that zone."""
    site = site_of_queue(conn, queue)
    tz = site.tz if site is not None else fallback_tz
    return Place(tz=tz, holidays=site.holidays if site is not None else DEFAULT_CALENDAR,
                 site=site.name if site is not None else None,
                 last_day=last_day_with_calls(conn, CallFilter(queue=queue), tz=tz))


def _calendar(holidays: str | None, place: Place) -> str | None:
    """``holidays`` as asked: SITE_CALENDAR becomes the place's calendar, "none" None."""
    if holidays is None or holidays.lower() == "none":
        return None
    return place.holidays if holidays.lower() == SITE_CALENDAR else holidays.upper()


@dataclass(frozen=True, slots=True)
class HistorySpec:
    """Which call history to forecast from, how far ahead, and how."""

    start: dt.date
    end: dt.date
    horizon_days: int
    queue: str | None = None
    model: str = "auto"
    holidays: str | None = SITE_CALENDAR
    overrides: tuple[str, ...] = ()


MAX_HISTORY_POINTS = 40_000  # history intervals a forecast may read: 2.3 years of 30-min ones, 138 days of 5-min


def check_history_span(start: dt.date, end: dt.date, grain_min: int) -> None:
    """Refuse a history range that is reversed or holds more than ``MAX_HISTORY_POINTS`` intervals."""
    if end < start:
        raise InvalidInput(f"the history ends ({end}) before it starts ({start})", field="history-to")
    if grain_min < 1:
        raise InvalidInput(f"grain {grain_min} min: give 5, 15, 30 or 60", field="grain")
    points = ((end - start).days + 1) * (24 * 60 // grain_min)
    if points > MAX_HISTORY_POINTS:
        longest = MAX_HISTORY_POINTS // (24 * 60 // grain_min)
        raise InvalidInput(f"{start}..{end} is {points:,} intervals of {grain_min} min; a forecast reads at most "
                           f"{MAX_HISTORY_POINTS:,} ({longest} days at this grain)", field="history-from")


def forecast_history(
    conn: sa.Connection,
    *,
    queue: str | None,
    start: dt.date,
    end: dt.date,
    tz: str,
    grain_min: int,
    horizon_days: int,
    model: str = "auto",
    holidays: str | None = SITE_CALENDAR,
    levels: Sequence[int] = (80, 95),
    overrides: Sequence[str] = (),
    deadline: Deadline | None = None,
) -> HistoryForecast:
    """Forecast ``horizon_days`` after ``end`` from the offered calls of ``queue`` (None: all) in the store;
    a ``deadline`` bounds the model search (a web request's wall-clock limit).

    Days and intervals are those of the queue's site zone (``tz`` when it has no site): ``made.tz`` says which.
    """
    from callops.forecast import forecast_calls, history_from_datetimes, parse_override, to_datetimes

    check_history_span(start, end, grain_min)
    place = place_of(conn, queue, fallback_tz=tz)
    tz, holidays = place.tz, _calendar(holidays, place)
    series = arrival_series(conn, start=start, end=end, tz=tz, grain_min=grain_min, queue=queue)
    if not np.any(series.calls > 0):
        where = f"queue {queue}" if queue else "any queue"
        raise InvalidInput(f"no offered calls for {where} from {start} to {end}", field="history-from")
    history = history_from_datetimes(series.starts, [float(c) for c in series.calls])
    run = forecast_calls(
        history,
        grain_min=grain_min,
        horizon_days=horizon_days,
        model=model,
        levels=levels,
        holidays=holidays,
        overrides=[parse_override(text, None) for text in overrides],
        deadline=deadline,
    )
    starts = tuple(to_datetimes(run.forecast.starts, None))
    try:
        aht = handle_time_profile(
            history_starts=series.starts, history_calls=series.calls, history_aht_s=series.aht_s, starts=starts
        )
    except InvalidInput:
        aht = np.full(len(starts), np.nan)
    return HistoryForecast(queue=queue, tz=tz, history=series, run=run, starts=starts, aht_s=aht)


def _aware(local: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """The UTC instant of a local wall-clock time; None for a time a DST change skips."""
    at = local.replace(tzinfo=zone)
    if at.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != local:
        return None
    return at.astimezone(dt.UTC)


def saved_forecast(
    made: HistoryForecast, *, name: str, created_by: str | None = None, aht_s: float | None = None
) -> SavedForecast:
    """``made`` as a SavedForecast (version 0) named ``name``; ``aht_s`` replaces the learned AHT."""
    zone = zoneinfo.ZoneInfo(made.tz)
    forecast = made.run.forecast
    band = forecast.bands[0] if forecast.bands else None
    points: list[ForecastPoint] = []
    for k, local in enumerate(made.starts):
        at = _aware(local, zone)
        if at is None:
            continue
        handle = aht_s if aht_s is not None else float(made.aht_s[k])
        points.append(
            ForecastPoint(
                start_at=at,
                calls=max(float(forecast.mean[k]), 0.0),
                lo=None if band is None else float(band.lo[k]),
                hi=None if band is None else float(band.hi[k]),
                aht_s=handle if np.isfinite(handle) and handle > 0 else None,
            )
        )
    return SavedForecast(
        name=name,
        grain_min=forecast.grain_min,
        model=forecast.model,
        tz=made.tz,
        points=tuple(points),
        queue=made.queue,
        accuracy=made.report(),
        overrides=tuple(o.as_dict() for o in forecast.overrides),
        created_by=created_by,
    )


def plan_forecast(
    forecast: SavedForecast,
    targets: StaffingTargets,
    *,
    name: str,
    aht_s: float | None = None,
    created_by: str | None = None,
    note: str | None = None,
) -> StaffingPlan:
    """The plan ``name`` for ``forecast``; ``aht_s`` replaces the forecast's AHT in every interval."""
    if forecast.grain_min != targets.interval_min:
        raise InvalidInput(
            f"the forecast has {forecast.grain_min}-minute intervals but the plan {targets.interval_min}-minute "
            "ones: plans need a 5, 15, 30 or 60 minute forecast of the same grain",
            field="grain",
        )
    if aht_s is None and any(p.aht_s is None for p in forecast.points):
        raise InvalidInput(
            f"forecast {forecast.name!r} has intervals without a handle time: give an AHT", field="aht"
        )
    handle = [aht_s if aht_s is not None else p.aht_s for p in forecast.points]
    return build_plan(
        name=name,
        starts=[p.start_at for p in forecast.points],
        calls=[p.calls for p in forecast.points],
        aht_s=np.asarray(handle, dtype=np.float64),
        targets=targets,
        queue=forecast.queue,
        note=note,
        created_by=created_by,
        forecast_id=forecast.forecast_id,
    )


def parse_ref(text: str) -> tuple[str, int | None]:
    """'NAME' -> (NAME, None); 'NAME@3' -> (NAME, 3)."""
    name, sep, version = text.strip().rpartition("@")
    if not sep:
        return text.strip(), None
    if not version.isdigit() or int(version) < 1 or not name:
        raise InvalidInput(f"{text!r} is not NAME or NAME@VERSION (a version is 1, 2, ...)", field="plan")
    return name, int(version)


def forecast_versions(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every saved forecast version, newest first, as the rows ``callops plan forecasts`` and
    ``/api/workforce/forecasts`` show (name, version, created_at, queue, grain_min, model)."""
    return [{"name": e.name, "version": e.version, "created_at": e.created_at.isoformat(), "queue": e.queue,
             "grain_min": e.grain_min, "model": e.model} for e in list_forecasts(conn)]


def stored_forecast(conn: sa.Connection, name: str, version: int | None = None) -> SavedForecast:
    """The saved forecast ``name`` (default: its newest version); NotFound without one."""
    return load_forecast(conn, name, version)


def stored_plan(conn: sa.Connection, name: str, version: int | None = None) -> StaffingPlan:
    """The saved staffing plan ``name`` (default: its newest version); NotFound without one."""
    return load_plan(conn, name, version)


def load_plan_ref(conn: sa.Connection, ref: str) -> StaffingPlan:
    """The stored plan ``NAME`` (newest version) or ``NAME@VERSION``."""
    name, version = parse_ref(ref)
    return load_plan(conn, name, version)


def create_forecast(
    conn: sa.Connection,
    spec: HistorySpec,
    *,
    name: str,
    grain_min: int,
    tz: str,
    now: dt.datetime,
    aht_s: float | None = None,
    created_by: str | None = None,
    deadline: Deadline | None = None,
) -> SavedForecast:
    """Forecast from the history in ``spec`` and store it as the next version of ``name``."""
    name = check_name(name)
    made = forecast_history(
        conn,
        queue=spec.queue,
        start=spec.start,
        end=spec.end,
        tz=tz,
        grain_min=grain_min,
        horizon_days=spec.horizon_days,
        model=spec.model,
        holidays=spec.holidays,
        overrides=spec.overrides,
        deadline=deadline,
    )
    return save_forecast(conn, saved_forecast(made, name=name, aht_s=aht_s, created_by=created_by), now=now)


NAME_MAX_CHARS = 120


def check_name(name: str, *, field: str = "name") -> str:
    """A plan or forecast name as stored: trimmed, 1 to 120 characters, no ``/`` or ``@`` (``NAME@VERSION`` and
    page addresses use them) and no control characters."""
    text = name.strip()
    if not text:
        raise InvalidInput("give a name", field=field)
    if len(text) > NAME_MAX_CHARS:
        raise InvalidInput(f"a name has at most {NAME_MAX_CHARS} characters ({len(text):,} given)", field=field)
    bad = sorted({ch for ch in text if ch in "/@\\" or not ch.isprintable()})
    if bad:
        shown = " ".join(repr(ch) for ch in bad[:5])
        raise InvalidInput(f"a name cannot hold {shown}", field=field)
    return text


def create_plan(
    conn: sa.Connection,
    targets: StaffingTargets,
    *,
    name: str,
    now: dt.datetime,
    tz: str,
    forecast_ref: str | None = None,
    history: HistorySpec | None = None,
    aht_s: float | None = None,
    note: str | None = None,
    created_by: str | None = None,
) -> tuple[SavedForecast, StaffingPlan]:
    """Build and store the plan ``name`` from a stored forecast (``forecast_ref``) or from ``history``.

    From history the forecast is stored first, under the plan's name. Returns both as stored.
    """
    name = check_name(name)
    if forecast_ref is not None and history is None:
        forecast_name, version = parse_ref(forecast_ref)
        forecast = load_forecast(conn, forecast_name, version)
    elif history is not None and forecast_ref is None:
        forecast = create_forecast(
            conn, history, name=name, grain_min=targets.interval_min, tz=tz, now=now, aht_s=aht_s,
            created_by=created_by,
        )
    else:
        raise InvalidInput("give either a saved forecast or a history range to plan from", field="forecast")
    plan = plan_forecast(forecast, targets, name=name, aht_s=aht_s, note=note, created_by=created_by)
    return forecast, save_plan(conn, plan, now=now)
