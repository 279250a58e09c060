"""A staffing plan checked by simulation: its calls, AHT and agents per interval as a scenario."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.errors import InvalidInput
from callops.scheduling import StaffingPlan, StaffingTargets, build_plan
from callops.simulation import compare_with_plan, plan_scenario, run_scenario

START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def _plan(calls: list[float], aht: list[float], *, sl: float = 0.8, step_min: int = 30,
          **targets: Any) -> StaffingPlan:
    starts = [START + dt.timedelta(minutes=step_min * k) for k in range(len(calls))]
    return build_plan(name="p", starts=starts, calls=calls, aht_s=aht,
                      targets=StaffingTargets(interval_min=step_min, service_level=sl, **targets))


def test_steady_intervals_match_the_formula_the_plan_used() -> None:
    """Sixteen equal intervals (100 calls, 180 s): the plan staffs 14 agents for Erlang C SL 0.888; pooled over
    the intervals after the first (the simulation starts empty), the simulated SL is within 0.03 of it."""
    plan = _plan([100.0] * 16, [180.0] * 16)
    assert {i.agents for i in plan.intervals} == {14}
    result = run_scenario(plan_scenario(plan), 10, 5)
    checks = compare_with_plan(plan, result)
    answered_within = sum(result.by_interval["answered_within"][1:])
    offered = sum(result.by_interval["offered"][1:])
    assert answered_within / offered == pytest.approx(plan.intervals[0].service_level, abs=0.03)
    assert len(checks) == 16 and all(c.service_level_sim is not None for c in checks)
    assert sum(c.offered for c in checks) == pytest.approx(result.offered_mean)


def test_handle_time_follows_the_interval() -> None:
    """The plan's AHT per interval reaches the simulation: with the agents held at 13, intervals whose AHT doubles
    to 360 s are overloaded (A = 20 Erlangs) and their simulated service level collapses."""
    plan = _plan([100.0] * 8, [180.0] * 4 + [360.0] * 4)
    scenario = plan_scenario(plan)
    assert scenario.queues[0].handle_means_s == (180.0,) * 4 + (360.0,) * 4
    held = replace(scenario, groups=(replace(scenario.groups[0], counts=(13,) * 8),))
    result = run_scenario(held, 5, 2)
    per = result.by_interval
    early = sum(per["answered_within"][1:4]) / sum(per["offered"][1:4])
    late = sum(per["answered_within"][5:8]) / sum(per["offered"][5:8])
    assert early > 0.6 and late < 0.2, (early, late)


def test_plan_patience_means_abandonment_and_closed_hours_stay_empty() -> None:
    """A plan made with Erlang A (patience) simulates abandonment; without patience nobody abandons; intervals the
    plan leaves out (closed) are simulated with no calls and no agents, and the plan's rows keep their times."""
    with_patience = _plan([100.0] * 6, [180.0] * 6, patience_s=120.0)
    assert run_scenario(plan_scenario(with_patience), 3, 1).metrics["p_abandon"].mean > 0
    assert run_scenario(plan_scenario(_plan([100.0] * 6, [180.0] * 6)), 3, 1).metrics["p_abandon"].mean == 0
    gappy = replace(with_patience, intervals=with_patience.intervals[:2] + with_patience.intervals[4:])
    scenario = plan_scenario(gappy)
    assert scenario.intervals == 6 and scenario.queues[0].arrivals_per_interval[2:4] == (0.0, 0.0)
    assert scenario.groups[0].counts[2:4] == (0, 0)
    result = run_scenario(scenario, 3, 1)
    checks = compare_with_plan(gappy, result)
    assert [c.start_at for c in checks] == [i.start_at for i in gappy.intervals]
    assert sum(c.offered for c in checks) == pytest.approx(result.offered_mean)
    skewed = replace(gappy, intervals=(*gappy.intervals[:-1], replace(gappy.intervals[-1],
                                       start_at=gappy.intervals[-1].start_at + dt.timedelta(minutes=7))))
    with pytest.raises(InvalidInput, match="not a whole number of 30-min steps"):
        plan_scenario(skewed)


@pytest.fixture
def env(engine: sa.Engine, db_url: str) -> dict[str, str]:
    from workforce_site import TZ, load_history

    load_history(engine)
    return {"CALLOPS_DATABASE_URL": db_url, "CALLOPS_TZ": TZ}


def test_cli_simulates_a_stored_plan(env: dict[str, str]) -> None:
    """`callops simulate --plan NAME` runs the stored plan: JSON with the metrics and one row per interval in the
    site's zone; the table counts the intervals short of the target; --plan with a scenario file is refused."""
    runner = CliRunner(env=env)
    built = runner.invoke(cli, ["plan", "build", "--name", "march", "--queue", "PS", "--history-from", "2026-02-02",
                                "--history-to", "2026-03-01", "--horizon", "1d", "--model", "seasonal_naive",
                                "--patience", "120", "--json"], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    plan = json.loads(built.output)
    out = runner.invoke(cli, ["simulate", "--plan", "march", "--replications", "3", "--seed", "4", "--json"],
                        catch_exceptions=False)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["plan"] == "march@1" and len(data["intervals"]) == len(plan["intervals"])
    assert data["intervals"][0]["start_at"] == plan["intervals"][0]["interval_start"]
    assert 0 <= data["intervals_short"] <= data["intervals_with_calls"] <= len(data["intervals"])
    assert data["intervals_short"] == sum(r["short"] for r in data["intervals"])
    assert data["intervals_clearly_short"] == sum(r["clearly_short"] for r in data["intervals"])
    for row in data["intervals"]:  # clearly short: the whole 95 % interval below the target, so short too
        if row["clearly_short"]:
            assert row["short"] and row["service_level_sim_ci95"][1] < data["target_service_level"]
    again = runner.invoke(cli, ["simulate", "--plan", "march@1", "--replications", "3", "--seed", "4", "--json"])
    assert again.output == out.output
    text = runner.invoke(cli, ["simulate", "--plan", "march", "--replications", "2", "--by-interval"])
    assert text.exit_code == 0 and "service-level target in simulation" in text.output and "SL sim" in text.output
    refused = runner.invoke(cli, ["simulate", "examples/scenarios/bank.yaml", "--plan", "march"])
    assert refused.exit_code == 2 and "--plan runs alone" in refused.output
    missing = runner.invoke(cli, ["simulate", "--plan", "nope"])
    assert missing.exit_code != 0 and "nope" in missing.output


def test_interval_intervals_separate_real_gaps_from_noise() -> None:
    """A plan held at 13 agents while the AHT doubles: the overloaded intervals are clearly short (their whole 95 %
    interval below the target) and the normal ones are not; each interval's interval holds its replications' mean."""
    plan = _plan([100.0] * 8, [180.0] * 4 + [360.0] * 4)
    plan = replace(plan, intervals=tuple(replace(i, agents=14) for i in plan.intervals))
    result = run_scenario(plan_scenario(plan), 6, 4)
    checks = compare_with_plan(plan, result)
    assert [c.clearly_short for c in checks] == [False] * 4 + [True] * 4
    for estimate in result.interval_service_level:
        assert estimate is not None and 0 <= estimate.ci95[0] <= estimate.mean <= estimate.ci95[1] <= 1
