"""Workforce services on SQLite and PostgreSQL: forecast from stored calls, plans saved with their forecast."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np
import pytest
import sqlalchemy as sa

from callops.errors import InvalidInput
from callops.scheduling import StaffingTargets
from callops.services.workforce import HistorySpec, create_plan, forecast_history, load_plan_ref, parse_ref
from callops.store.forecasts import load_forecast
from workforce_site import DAYS, FIRST_DAY, TZ, load_history

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def spec(queue: str = "PS") -> HistorySpec:
    return HistorySpec(start=FIRST_DAY, end=FIRST_DAY + dt.timedelta(days=DAYS - 1), horizon_days=7, queue=queue,
                       model="seasonal_naive")


def test_forecast_from_stored_history(engine: sa.Engine) -> None:
    """The weekly-repeating history forecasts the same counts a week ahead, with AHT 150 s learned."""
    load_history(engine)
    with engine.connect() as conn:
        made = forecast_history(conn, queue="PS", start=FIRST_DAY, end=FIRST_DAY + dt.timedelta(days=DAYS - 1),
                                tz=TZ, grain_min=30, horizon_days=7, model="seasonal_naive")
    by_time = {(s.hour, s.minute): float(m) for s, m in zip(made.starts, made.run.forecast.mean, strict=True)
               if s.date() == dt.date(2026, 3, 2)}
    assert by_time[(9, 0)] == 2 and by_time[(10, 30)] == 4 and by_time[(11, 30)] == 6
    assert np.allclose(made.aht_s[np.isfinite(made.aht_s)], 150.0)
    assert made.report()["backtest"] is not None


def test_plan_from_history_saves_forecast_and_plan(engine: sa.Engine) -> None:
    """A plan built from history stores its forecast under the plan's name and links to it."""
    load_history(engine)
    targets = StaffingTargets(interval_min=30, service_level=0.8, sl_time_s=20, shrinkage=0.3)
    with engine.begin() as conn:
        forecast, plan = create_plan(conn, targets, name="march", now=NOW, tz=TZ, history=spec())
    assert plan.version == 1 and plan.forecast_id == forecast.forecast_id and plan.queue == "PS"
    assert all(i.start_at.tzinfo is not None for i in plan.intervals)
    eleven = [i for i in plan.intervals if i.start_at.astimezone(zoneinfo.ZoneInfo(TZ)).hour == 11]
    assert eleven and all(i.calls == 6 and i.aht_s == pytest.approx(150.0) for i in eleven)
    with engine.begin() as conn:
        _, again = create_plan(conn, StaffingTargets(shrinkage=0.0), name="march", now=NOW, tz=TZ,
                               forecast_ref="march@1")
        assert load_forecast(conn, "march").version == 1
        assert load_plan_ref(conn, "march").version == 2 and load_plan_ref(conn, "march@1").version == 1
    assert again.agent_hours < plan.agent_hours


def test_fixed_aht_replaces_the_learned_one(engine: sa.Engine) -> None:
    """With an AHT given, every interval of forecast and plan uses it."""
    load_history(engine)
    with engine.begin() as conn:
        forecast, plan = create_plan(conn, StaffingTargets(), name="p", now=NOW, tz=TZ, history=spec(), aht_s=240.0)
    assert {p.aht_s for p in forecast.points} == {240.0} and {i.aht_s for i in plan.intervals} == {240.0}


def test_plan_grain_must_match_the_forecast(engine: sa.Engine) -> None:
    """A 60-minute plan from a 30-minute forecast, or a range without calls, is refused with InvalidInput."""
    load_history(engine)
    with engine.begin() as conn:
        create_plan(conn, StaffingTargets(), name="p", now=NOW, tz=TZ, history=spec())
        with pytest.raises(InvalidInput, match="30-minute"):
            create_plan(conn, StaffingTargets(interval_min=60), name="q", now=NOW, tz=TZ, forecast_ref="p")
        with pytest.raises(InvalidInput, match="no offered calls"):
            create_plan(conn, StaffingTargets(), name="q", now=NOW, tz=TZ, history=spec(queue="XX"))


@pytest.mark.parametrize(("text", "expected"), [("a", ("a", None)), ("a@2", ("a", 2)), ("x@y@3", ("x@y", 3))])
def test_parse_ref(text: str, expected: tuple[str, int | None]) -> None:
    """NAME and NAME@VERSION are split at the last @."""
    assert parse_ref(text) == expected


@pytest.mark.parametrize("text", ["a@0", "a@x", "@1"])
def test_bad_ref(text: str) -> None:
    """A version that is not a positive number is refused."""
    with pytest.raises(InvalidInput):
        parse_ref(text)
