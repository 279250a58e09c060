"""``callops roster solve`` and ``check`` as the issue's contracts state them, errors included."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.store.roster_builds import load_inputs
from callops.store.rosters import load_roster
from callops.store.schema import agent_intervals
from roster_law import violations
from roster_site import agents_csv, requirements_csv


def test_solve_then_check_round_trip(tmp_path: Path) -> None:
    """solve --json writes status, objective, bound, gap, shortfall and shifts with offsets; check finds none."""
    (tmp_path / "req.csv").write_text(requirements_csv(7, 6), encoding="utf-8")
    agents = agents_csv(24)
    (tmp_path / "agents.csv").write_text(agents, encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(cli, ["roster", "solve", "--requirements", str(tmp_path / "req.csv"), "--agents",
                              str(tmp_path / "agents.csv"), "--from", "2026-12-07", "--to", "2026-12-13",
                              "--tz", "Asia/Shanghai", "--time-limit", "5", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["status"] in ("OPTIMAL", "FEASIBLE")
    assert {"objective", "bound", "gap", "shortfall", "shifts"} <= data.keys()
    assert data["shifts"] and data["shifts"][0]["start"].endswith("+08:00")
    assert violations(data, agents) == []
    (tmp_path / "roster.json").write_text(out.output, encoding="utf-8")
    checked = runner.invoke(cli, ["roster", "check", str(tmp_path / "roster.json"), "--agents",
                                  str(tmp_path / "agents.csv"), "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output) == {"violations": []}


def test_check_reports_violations_and_exits_1(tmp_path: Path) -> None:
    """A 10-hour standard shift and 9 hours of rest are named by agent, rule and date; the exit code is 1."""
    roster = {"from": "2026-12-07", "to": "2026-12-13", "shifts": [
        {"agent": "A", "start": "2026-12-07T08:00:00+08:00", "end": "2026-12-07T19:00:00+08:00",
         "breaks": [{"start": "2026-12-07T12:00:00+08:00", "end": "2026-12-07T13:00:00+08:00", "kind": "meal"}]},
        {"agent": "A", "start": "2026-12-08T04:00:00+08:00", "end": "2026-12-08T08:00:00+08:00", "breaks": []},
    ]}
    (tmp_path / "roster.json").write_text(json.dumps(roster), encoding="utf-8")
    (tmp_path / "agents.csv").write_text("agent,contract,skills\nA,standard,\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["roster", "check", str(tmp_path / "roster.json"), "--agents",
                                   str(tmp_path / "agents.csv"), "--json"])
    assert out.exit_code == 1
    found = {(v["agent"], v["rule"], v["date"]) for v in json.loads(out.output)["violations"]}
    assert ("A", "max_daily_hours", "2026-12-07") in found
    assert ("A", "min_rest_between_shifts", "2026-12-08") in found


def test_bad_input_names_file_line_and_field(tmp_path: Path) -> None:
    """An unknown contract, a requirement gap and contradictory rules each fail with the place named."""
    (tmp_path / "req.csv").write_text("interval_start,required\n2026-12-07T00:00,1\n2026-12-07T01:00,1\n",
                                      encoding="utf-8")
    (tmp_path / "agents.csv").write_text("agent,contract,skills\nA,zero_hours,\n", encoding="utf-8")
    (tmp_path / "ok.csv").write_text("agent,contract,skills\nA,standard,\n", encoding="utf-8")
    (tmp_path / "good.csv").write_text("interval_start,required\n2026-12-07T00:00,1\n", encoding="utf-8")
    (tmp_path / "rules.yaml").write_text("rest: {min_between_shifts_h: 13}\n"
                                         "systems: {comprehensive: {shift_lengths_h: [12]}}\n", encoding="utf-8")
    base = ["roster", "solve", "--from", "2026-12-07", "--to", "2026-12-07", "--tz", "Asia/Shanghai", "--json"]
    runner = CliRunner()
    gap = runner.invoke(cli, [*base, "--requirements", str(tmp_path / "req.csv"), "--agents",
                              str(tmp_path / "ok.csv")])
    assert gap.exit_code == 1 and "line 3" in gap.output and "gap" in gap.output
    contract = runner.invoke(cli, [*base, "--requirements", str(tmp_path / "good.csv"), "--agents",
                                   str(tmp_path / "agents.csv")])
    assert contract.exit_code == 1 and "line 2, field contract" in contract.output
    rules = runner.invoke(cli, [*base, "--requirements", str(tmp_path / "good.csv"), "--agents",
                                str(tmp_path / "ok.csv"), "--rules", str(tmp_path / "rules.yaml")])
    assert rules.exit_code == 1 and "rest.min_between_shifts_h" in rules.output


def test_save_publish_and_adherence(tmp_path: Path, engine: sa.Engine, db_url: str) -> None:
    """solve --save, publish and history keep every change; adherence --by agent reads the published roster."""
    env = {"CALLOPS_DATABASE_URL": db_url, "CALLOPS_TZ": "Asia/Shanghai"}
    (tmp_path / "req.csv").write_text(requirements_csv(1, 2), encoding="utf-8")
    (tmp_path / "agents.csv").write_text(agents_csv(8, mix=False), encoding="utf-8")
    runner = CliRunner(env=env)
    out = runner.invoke(cli, ["roster", "solve", "--requirements", str(tmp_path / "req.csv"), "--agents",
                              str(tmp_path / "agents.csv"), "--from", "2026-12-07", "--to", "2026-12-07",
                              "--time-limit", "3", "--save", "monday", "--by", "planner", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["saved"] == {"name": "monday", "version": 1}
    with engine.connect() as conn:  # kept with what it was solved from, so the web can check and chart it
        stored = load_roster(conn, "monday")
        inputs = load_inputs(conn, stored.roster_id, stored.tz)
    assert inputs is not None and len(inputs.agents) == 8 and inputs.rules_text is None
    assert len(inputs.requirements) == 48
    published = runner.invoke(cli, ["roster", "publish", "monday", "--version", "1", "--by", "lead"])
    assert published.exit_code == 0, published.output
    log = json.loads(runner.invoke(cli, ["roster", "history", "monday", "--json"]).output)
    assert [(r["action"], r["by"]) for r in log] == [("save", "planner"), ("publish", "lead")]
    first = data["shifts"][0]
    start, end = dt.datetime.fromisoformat(first["start"]), dt.datetime.fromisoformat(first["end"])
    with engine.begin() as conn:  # the agent is on the phones for the whole shift, breaks included
        conn.execute(agent_intervals.insert().values(source="test", agent=first["agent"], state="ready",
                                                     start_at=start, end_at=end))
    rows = json.loads(runner.invoke(cli, ["adherence", "--from", "2026-12-07", "--to", "2026-12-07", "--by", "agent",
                                          "--format", "json"]).output)
    mine = next(r for r in rows if r["agent"] == first["agent"])
    span_s = (end - start).total_seconds()
    breaks_s = sum((dt.datetime.fromisoformat(b["end"]) - dt.datetime.fromisoformat(b["start"])).total_seconds()
                   for b in first["breaks"])
    assert mine["scheduled_s"] == span_s
    assert mine["in_adherence_s"] == span_s - breaks_s
    assert mine["conformance"] == 1.0
    assert {"scheduled_s", "in_adherence_s", "adherence", "conformance"} <= mine.keys()


def test_solve_from_a_saved_plan(tmp_path: Path, engine: sa.Engine, db_url: str) -> None:
    """solve --plan NAME[@VERSION] takes the saved plan's scheduled agents per interval as the requirements (kept
    with the saved roster); an unknown plan is refused."""
    from callops.scheduling import StaffingTargets, build_plan
    from callops.store.plans import save_plan

    zone = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has no DST
    starts = [dt.datetime(2026, 12, 7, tzinfo=zone) + dt.timedelta(minutes=30 * k) for k in range(48)]
    calls = [20.0 + 40.0 * (8 <= k // 2 < 20) for k in range(48)]
    plan = build_plan(name="dec", starts=starts, calls=calls, aht_s=[240.0] * 48,
                      targets=StaffingTargets(interval_min=30, service_level=0.8))
    with engine.begin() as conn:
        save_plan(conn, plan, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    (tmp_path / "agents.csv").write_text(agents_csv(8, mix=False), encoding="utf-8")
    runner = CliRunner(env={"CALLOPS_DATABASE_URL": db_url, "CALLOPS_TZ": "Asia/Shanghai"})
    base = ["roster", "solve", "--agents", str(tmp_path / "agents.csv"), "--from", "2026-12-07", "--to", "2026-12-07",
            "--time-limit", "3", "--json"]
    out = runner.invoke(cli, [*base, "--plan", "dec@1", "--save", "from-plan"])
    assert out.exit_code == 0, out.output
    needed = [i.scheduled for i in plan.intervals]
    assert len(set(needed)) > 1 and json.loads(out.output)["required"] == sum(needed)
    with engine.connect() as conn:
        stored = load_roster(conn, "from-plan")
        inputs = load_inputs(conn, stored.roster_id, stored.tz)
    assert inputs is not None and [r.required for r in inputs.requirements] == needed
    assert runner.invoke(cli, [*base, "--plan", "dec"]).exit_code == 0
    missing = runner.invoke(cli, [*base, "--plan", "nope"])
    assert missing.exit_code != 0 and "nope" in missing.output
