"""The roster check reads the adjacent published rosters (issue 11): the page's check (``roster_view``) and
``callops roster check --saved`` / ``--adjacent`` name rest across the edge, days in a row, weekly hours across a
mid-week edge and comprehensive-hours periods; a neighbour's own violations stay its own (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.scheduling.roster_check import check_roster
from callops.scheduling.roster_model import Requirement, RosterAgent, RosterBreak, RosterShift
from callops.scheduling.work_rules import WorkSystem, china_rules
from callops.services.roster_views import roster_view
from callops.store.roster_builds import RosterInputs, save_inputs
from callops.store.rosters import load_roster, publish_roster, save_roster

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
AGENTS = (RosterAgent("A1", WorkSystem.STANDARD), RosterAgent("A2", WorkSystem.STANDARD),
          RosterAgent("C1", WorkSystem.COMPREHENSIVE))


def at(day: int, hour: int) -> dt.datetime:
    """``day`` of December 2026, local time."""
    return dt.datetime(2026, 12, day, hour, tzinfo=TZ)


def shift(agent: str, day: int, hour: int, hours: int = 9) -> RosterShift:
    """9 h with a 1 h unpaid meal (8 h worked), or ``hours`` h with no break."""
    if hours != 9:
        return RosterShift(agent, at(day, hour), at(day, hour) + dt.timedelta(hours=hours))
    return RosterShift(agent, at(day, hour), at(day, hour + 9),
                       (RosterBreak(at(day, hour + 4), at(day, hour + 5), "meal", False),))


def save(conn: sa.Connection, name: str, shifts: list[RosterShift], first: int, last: int, *,
         publish: bool = True) -> None:
    stored = save_roster(conn, name, shifts, first_day=dt.date(2026, 12, first), last_day=dt.date(2026, 12, last),
                         tz="Asia/Shanghai", summary={}, now=NOW, by="pat")
    reqs = tuple(Requirement(at(first, 0) + dt.timedelta(minutes=30 * i), 1) for i in range(48 * (last - first + 1)))
    save_inputs(conn, stored.roster_id, RosterInputs(AGENTS, reqs, None))
    if publish:
        publish_roster(conn, name, stored.version, now=NOW, by="pat")


def week50() -> list[RosterShift]:
    """A1 Mon-Thu 08-17 and Sunday 08-17; A2 Mon-Fri 08-17 (5 days each; fine on their own)."""
    return ([shift("A1", d, 8) for d in (7, 8, 9, 10, 13)] + [shift("A2", d, 8) for d in range(7, 12)])


def seed_weeks(engine: sa.Engine) -> None:
    """Week 49 ends with A2 until 23:00 on Sunday (9 h before Monday 08:00); week 51 has A1 Mon-Sat (with week
    50's Sunday: 7 days in a row) and its own rest violation for A2 (Tue 23:00, Wed 08:00)."""
    with engine.begin() as conn:
        save(conn, "w49", [shift("A2", 6, 14)], 1, 6)
        save(conn, "w50", week50(), 7, 13, publish=False)
        save(conn, "w51", [shift("A1", d, 8) for d in range(14, 20)]
             + [shift("A2", 15, 14), shift("A2", 16, 8)], 14, 20)


def found(violations: list[object]) -> set[tuple[str, str, str]]:
    out = set()
    for v in violations:
        if isinstance(v, dict):
            out.add((v["agent"], v["rule"], v["date"]))
        else:
            out.add((v.agent, v.rule, v.date.isoformat()))  # type: ignore[attr-defined]
    return out


def test_the_page_check_reads_the_rosters_before_and_after(engine: sa.Engine) -> None:
    """Alone week 50 keeps every rule; with week 49 A2 gets 9 h of rest on Monday, with week 51 A1's Sunday
    is the first of 7 days in a row. A2's rest violation inside week 51 is week 51's, not shown here."""
    seed_weeks(engine)
    with engine.connect() as conn:
        roster = load_roster(conn, "w50")
        view = roster_view(conn, roster)
    assert check_roster(week50(), AGENTS, china_rules(), tz=TZ, week_start=dt.date(2026, 12, 7),
                        last_day=dt.date(2026, 12, 13)) == []
    assert view.violations is not None
    assert found(list(view.violations)) == {("A2", "min_rest_between_shifts", "2026-12-07"),
                                            ("A1", "max_consecutive_days", "2026-12-19")}
    assert view.context_shifts == 1 + 8


def test_weekly_hours_and_rest_days_across_a_mid_week_edge(engine: sa.Engine) -> None:
    """Monday-Wednesday checked before a published Thursday-Sunday: the week from its Monday has 7 days, 56 h."""
    with engine.begin() as conn:
        save(conn, "mon-wed", [shift("A1", d, 8) for d in (7, 8, 9)], 7, 9, publish=False)
        save(conn, "thu-sun", [shift("A1", d, 8) for d in (10, 11, 12, 13)], 10, 13)
    with engine.connect() as conn:
        view = roster_view(conn, load_roster(conn, "mon-wed"))
    assert view.violations is not None
    rules = {(v.rule, v.detail) for v in view.violations}
    assert ("rest_days_per_week", "7 days worked") in rules
    assert ("max_consecutive_days", "day 7 in a row") in rules
    assert ("max_weekly_hours", "56 h > 40 h") in rules


def test_comprehensive_period_totals_count_the_earlier_roster(engine: sa.Engine) -> None:
    """C1 (comprehensive, month period) works 5 x 10 h in week 50 and 4 x 10 h in week 51: each week alone is
    within 8 h per working day of the days checked, the two together are 90 h for 80 h."""
    with engine.begin() as conn:
        save(conn, "w50", [shift("C1", d, 8, hours=10) for d in range(7, 12)], 7, 13)
        save(conn, "w51", [shift("C1", d, 8, hours=10) for d in range(14, 18)], 14, 20, publish=False)
    with engine.connect() as conn:
        view = roster_view(conn, load_roster(conn, "w51"))
        alone = check_roster(load_roster(conn, "w51").shifts, AGENTS, china_rules(), tz=TZ,
                             week_start=dt.date(2026, 12, 14), last_day=dt.date(2026, 12, 20))
    assert alone == []
    assert view.violations is not None
    assert [(v.agent, v.rule, v.detail) for v in view.violations] == [
        ("C1", "comprehensive_period_hours", "90 h > 80 h")]


def test_cli_checks_a_saved_roster_and_a_file_with_the_adjacent_rosters(
        tmp_path: Path, engine: sa.Engine, db_url: str) -> None:
    """``roster check --saved`` answers what the page shows; a file with ``--adjacent`` reads the published
    rosters around its days (not the one published on its own days, which the file stands in for)."""
    seed_weeks(engine)
    runner = CliRunner(env={"CALLOPS_DATABASE_URL": db_url, "CALLOPS_TZ": "Asia/Shanghai"})
    saved = runner.invoke(cli, ["roster", "check", "--saved", "w50@1", "--json"])
    assert saved.exit_code == 1, saved.output
    assert found(json.loads(saved.output)["violations"]) == {("A2", "min_rest_between_shifts", "2026-12-07"),
                                                             ("A1", "max_consecutive_days", "2026-12-19")}
    with engine.begin() as conn:  # week 50 published too: the file below replaces it on its days
        publish_roster(conn, "w50", 1, now=NOW, by="pat")
    doc = {"from": "2026-12-07", "to": "2026-12-13", "shifts": [
        {"agent": s.agent, "start": s.start_at.isoformat(), "end": s.end_at.isoformat(),
         "breaks": [{"start": b.start_at.isoformat(), "end": b.end_at.isoformat(), "kind": b.kind} for b in s.breaks]}
        for s in week50() if s.agent == "A2"]}  # A1's Sunday taken off: no 7th day in a row
    (tmp_path / "roster.json").write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "agents.csv").write_text("agent,contract,skills\nA1,standard,\nA2,standard,\n", encoding="utf-8")
    args = ["roster", "check", str(tmp_path / "roster.json"), "--agents", str(tmp_path / "agents.csv"), "--json"]
    plain = runner.invoke(cli, args)
    assert plain.exit_code == 0 and json.loads(plain.output) == {"violations": []}
    adjacent = runner.invoke(cli, [*args, "--adjacent"])
    assert adjacent.exit_code == 1, adjacent.output
    assert found(json.loads(adjacent.output)["violations"]) == {("A2", "min_rest_between_shifts", "2026-12-07")}
    both = runner.invoke(cli, ["roster", "check", str(tmp_path / "roster.json"), "--saved", "w50"])
    assert both.exit_code != 0 and "--saved" in both.output
