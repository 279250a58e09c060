"""A web build takes a saved staffing plan's scheduled agents as its requirement and the directory's agents with
one contract; it queues one job at a time and names the field of anything it refuses."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from callops.errors import Conflict, InvalidInput
from callops.records import Agent
from callops.scheduling import PlanInterval, StaffingPlan, StaffingTargets
from callops.scheduling.work_rules import WorkSystem
from callops.services.roster_builds import BuildRequest, prepare_build
from callops.store.directory import save_agent, save_team
from callops.store.plans import save_plan
from callops.store.roster_builds import get_job, job_inputs, list_rule_sets

MIDNIGHT = dt.datetime(2026, 12, 6, 16, 0, tzinfo=dt.UTC)  # 2026-12-07 00:00 in Asia/Shanghai
NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)


def _plan() -> StaffingPlan:
    intervals = tuple(PlanInterval(start_at=MIDNIGHT + dt.timedelta(minutes=30 * k), calls=10.0, aht_s=180.0,
                                   agents=k % 3, scheduled=k % 4, service_level=0.8, asa_s=10.0, p_abandon=0.0,
                                   occupancy=0.7) for k in range(48))
    return StaffingPlan(name="dec7", targets=StaffingTargets(shrinkage=0.3), intervals=intervals, queue="PS")


def test_a_plan_and_a_team_become_a_queued_job(engine: sa.Engine) -> None:
    """The plan's 48 half hours are the requirement and its day the roster's; the team's agents get the contract;
    uploaded rules are kept by name; a second build while the first is queued is a Conflict."""
    with engine.begin() as conn:
        save_plan(conn, _plan(), now=NOW)
        save_team(conn, "t1")
        for name in ("a1", "a2"):
            save_agent(conn, Agent(name, name, team="t1"))
        form = BuildRequest(name="from-plan", first_day="", last_day="", plan="dec7@1", team="t1",
                            contract="comprehensive", rules_yaml="rest:\n  min_between_shifts_h: 12\n",
                            save_rules_as="twelve hours")
        job_id = prepare_build(conn, form, tz="Asia/Shanghai", now=NOW, by="pat")
        job = get_job(conn, job_id)
        inputs = job_inputs(conn, job_id)
        assert job.status == "queued" and job.params["first_day"] == job.params["last_day"] == "2026-12-07"
        assert [r.required for r in inputs.requirements] == [k % 4 for k in range(48)]
        assert inputs.requirements[0].start_at.isoformat() == "2026-12-07T00:00:00+08:00"
        assert {(a.agent, a.system) for a in inputs.agents} == {("a1", WorkSystem.COMPREHENSIVE),
                                                               ("a2", WorkSystem.COMPREHENSIVE)}
        assert inputs.rules_text is not None and "12" in inputs.rules_text
        assert [name for name, _, _ in list_rule_sets(conn)] == ["twelve hours"]
        with pytest.raises(Conflict, match="still queued"):
            prepare_build(conn, BuildRequest(name="again", first_day="", last_day="", plan="dec7"),
                          tz="Asia/Shanghai", now=NOW, by="pat")
        with pytest.raises(InvalidInput) as missing:
            prepare_build(conn, BuildRequest(name="none", first_day="", last_day="", rules_name="nope", plan="dec7"),
                          tz="Asia/Shanghai", now=NOW, by="pat")
        assert missing.value.field == "rules_name"
