"""Chart configurations of the workforce pages: closed hours are drawn as zero, the band fills between lo and hi."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from callops.scheduling import StaffingTargets, build_plan
from callops.services.plan_check import check_plan
from callops.web.i18n import load_catalogs
from callops.web.routes.workforce_charts import forecast_chart, plan_chart, simulation_chart

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
HALF = dt.timedelta(minutes=30)
T = load_catalogs().translator("en")


def test_forecast_chart_fills_closed_intervals() -> None:
    """A forecast with a closed interval between two open ones is drawn on the full grid, 0 calls and no band."""
    config = forecast_chart(T, UTC, history=[(T0 - HALF, 3.0)],
                            forecast=[(T0, 5.0, 4.0, 6.0), (T0 + 2 * HALF, 7.0, 6.0, 8.0)], grain_min=30)
    history, mean, lo, hi = (d["data"] for d in config["data"]["datasets"])
    assert config["data"]["labels"] == ["03-02 00:30", "03-02 01:00", "03-02 01:30", "03-02 02:00"]
    assert history == [3.0, None, None, None]
    assert mean == [None, 5.0, 0.0, 7.0] and lo == [None, 4.0, None, 6.0] and hi == [None, 6.0, None, 8.0]
    assert config["data"]["datasets"][3]["fill"] == "-1"


def test_plan_chart_shows_agents_scheduled_and_service_level() -> None:
    """The plan chart has agents and scheduled per interval (0 where the plan has none) and SL on axis y2."""
    plan = build_plan(name="p", starts=[T0, T0 + 2 * HALF], calls=[100, 0], aht_s=180,
                      targets=StaffingTargets(shrinkage=0.3))
    agents, scheduled, sl = plan_chart(T, UTC, plan)["data"]["datasets"]
    assert agents["data"] == [14, 0, 0] and scheduled["data"] == [20, 0, 0]
    assert sl["yAxisID"] == "y2" and sl["data"][1] is None and sl["data"][2] == 1.0


def test_simulation_chart_shows_plan_simulation_and_target() -> None:
    """Plan and simulated service level in percent on the full grid (a gap where the plan is closed), a dot where
    the simulation falls short of the target, and the target as a flat line: 10 agents for 10 Erlangs fall short."""
    plan = build_plan(name="p", starts=[T0, T0 + 2 * HALF], calls=[100, 100], aht_s=180,
                      targets=StaffingTargets(service_level=0.8))
    thin = replace(plan, intervals=(replace(plan.intervals[0], agents=10), plan.intervals[1]))
    check = check_plan(thin, replications=2, seed=3)
    config = simulation_chart(T, UTC, check)
    planned, simulated, target = config["data"]["datasets"]
    assert config["data"]["labels"] == ["03-02 01:00", "03-02 01:30", "03-02 02:00"]
    assert planned["data"] == [round(100 * plan.intervals[0].service_level, 2), None,
                               round(100 * plan.intervals[1].service_level, 2)]
    first, gap, last = simulated["data"]
    simulated_sl = check.intervals[0].service_level_sim
    assert simulated_sl is not None
    assert gap is None and first < 80 and first == pytest.approx(100 * simulated_sl, abs=0.01)
    assert simulated["pointRadius"] == [3, 0, 3 if check.intervals[1].short else 0]
    assert target["data"] == [80.0] * 3 and config["options"]["scales"]["y"]["max"] == 100
