"""Early-warning signals read from stored intervals, calls and appeals; the warning report and who may see it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import sqlalchemy as sa

from callops.people import ExitReason, Position, Spell, Stint
from callops.records import AgentInterval, AgentState, Call, Direction, IssueCategory, Outcome
from callops.scheduling.roster_model import RosterShift
from callops.store.directory import save_team
from callops.store.people import save_people
from callops.store.people_signals import _slope_per_30_days, stint_signals, warning_report
from callops.store.records import insert_calls, insert_intervals
from callops.store.rosters import publish_roster, save_roster
from callops.store.schema import qa_appeals
from people_site import interval, save_forty

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.datetime(2024, 3, 10, 9, 0, tzinfo=TZ)


def _call(i: int, agent: str | None, at: dt.datetime, *, complaint: bool, outcome: Outcome = Outcome.ANSWERED) -> Call:
    return Call("test", f"c{i}", Direction.INBOUND, outcome, queue="q", queue_entered_at=at,
                answered_at=at if outcome is Outcome.ANSWERED else None, ended_at=at + dt.timedelta(minutes=3),
                agent=agent, talk_s=180.0, issue_category=IssueCategory.COMPLAINT if complaint else None)


def test_signals_of_one_stint(engine: sa.Engine) -> None:
    stint = Stint("a1", (Spell(dt.date(2023, 1, 20), None, "t1", Position.AGENT),))
    with engine.begin() as conn:
        insert_intervals(conn, [interval("a1", AgentState.READY, DAY, 6 * 3600),
                                interval("a1", AgentState.AWAY, DAY + dt.timedelta(hours=6), 3600),
                                interval("a1", AgentState.BREAK, DAY + dt.timedelta(hours=7), 3600),
                                interval("a1", AgentState.RECOVERY, DAY + dt.timedelta(hours=8), 60),
                                interval("a1", AgentState.LOGGED_OUT, DAY + dt.timedelta(hours=9), 36000),
                                interval("a1", AgentState.AWAY, DAY - dt.timedelta(days=200), 36000)])  # outside
        insert_calls(conn, [_call(1, "a1", DAY, complaint=True), _call(2, "a1", DAY, complaint=True),
                            _call(3, "a1", DAY, complaint=False), _call(4, "a1", DAY, complaint=False),
                            _call(5, None, DAY, complaint=True, outcome=Outcome.ABANDONED),
                            _call(6, "a1", DAY - dt.timedelta(days=200), complaint=True)])
        conn.execute(qa_appeals.insert(), [
            {"evaluation_key": f"e{i}", "agent": "a1", "evaluator": "qa", "status": "decided",
             "state": {"decision": decision}, "filed_at": DAY, "decided_at": DAY}
            for i, decision in enumerate(["rejected", "upheld", "rejected"])])
        values = stint_signals(conn, stint, as_of=dt.date(2024, 3, 31), tz=TZ)
    assert values["away_share"] == pytest.approx(7200 / (8 * 3600 + 60))
    assert values["distressing_share"] == pytest.approx(0.5)
    assert values["recovery_gap"] == pytest.approx(1 - 60 / 180)
    assert values["appeals_lost"] == 2.0 and values["qa_trend"] is None
    assert values["stuck_12_18"] == 1.0  # 437 days, never moved


def test_qa_trend_is_points_per_30_days() -> None:
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    points = [(base + dt.timedelta(days=d), 90 - d / 15) for d in (0, 15, 30, 60)]
    assert _slope_per_30_days(points) == pytest.approx(-2.0)
    assert _slope_per_30_days(points[:2]) is None


def test_warning_report_lists_employed_agents_by_risk(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        save_forty(conn)
        report = warning_report(conn, as_of=dt.date(2024, 6, 30), tz=TZ)
        only_t1 = warning_report(conn, as_of=dt.date(2024, 6, 30), tz=TZ, teams={"t1"})
    coef = {c["signal"]: c for c in report["model"]["coefficients"]}
    assert coef["away_share"]["coef"] > 0 and report["model"]["events"] == 30
    listed = [a["person"] for a in report["agents"]]
    assert sorted(listed) == [f"p{i:02d}" for i in range(0, 40, 4)]
    risks = [a["relative_risk"] for a in report["agents"]]
    assert risks == sorted(risks, reverse=True)
    assert report["agents"][0]["reasons"][0]["signal"] in coef
    assert {a["team"] for a in only_t1["agents"]} <= {"t1"}


def _save_week_roster(conn: sa.Connection, name: str, shifts: list[RosterShift]) -> None:
    days = sorted(s.start_at.astimezone(TZ).date() for s in shifts)
    stored = save_roster(conn, name, shifts, first_day=days[0], last_day=days[-1], tz="Asia/Shanghai", summary={},
                         now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), by="test")
    publish_roster(conn, name, stored.version, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), by="test")


def _worked_days(agent: str, last: dt.date, drop: float) -> tuple[list[RosterShift], list[AgentInterval]]:
    """Shifts 09:00-17:00 on the 60 days before ``last``; on the phones for all of each shift in the first 30 and
    for (1 - drop) of it in the last 30 (logged out the rest, so away time stays 0): adherence 1.0, then 1 - drop."""
    shifts, intervals = [], []
    for back in range(60, 0, -1):
        start = dt.datetime.combine(last - dt.timedelta(days=back), dt.time(9), TZ)
        shifts.append(RosterShift(agent, start, start + dt.timedelta(hours=8)))
        on_s = 8 * 3600 * (1 - drop if back <= 30 else 1.0)
        intervals.append(interval(agent, AgentState.READY, start, on_s))
        if on_s < 8 * 3600:
            intervals.append(interval(agent, AgentState.LOGGED_OUT, start + dt.timedelta(seconds=on_s),
                                       8 * 3600 - on_s))
    return shifts, intervals


def test_adherence_drop_is_earlier_minus_recent_adherence(engine: sa.Engine) -> None:
    """On the phones for all of each shift, then for 70 % of it in the last 30 days: the drop is 0.3; an agent
    without a published roster has none; simulated states do not count."""
    stint = Stint("a1", (Spell(dt.date(2023, 1, 20), None, "t1", Position.AGENT),))
    other = Stint("a2", (Spell(dt.date(2023, 1, 20), None, "t1", Position.AGENT),))
    as_of = dt.date(2024, 3, 31)
    shifts, intervals = _worked_days("a1", as_of + dt.timedelta(days=1), 0.3)
    with engine.begin() as conn:
        _save_week_roster(conn, "spring", shifts)
        insert_intervals(conn, intervals + [interval("a2", AgentState.READY, DAY, 3600)])
        insert_intervals(conn, [AgentInterval("sim", "a1", AgentState.READY, s.start_at, s.end_at,
                                              scenario="what-if") for s in shifts])
        values = stint_signals(conn, stint, as_of=as_of, tz=TZ)
        none = stint_signals(conn, other, as_of=as_of, tz=TZ)
    assert values["adherence_drop"] == pytest.approx(0.3)
    assert none["adherence_drop"] is None


def test_warning_report_ranks_falling_adherence(engine: sa.Engine) -> None:
    """40 people whose adherence fell by 0-45 points in their last 30 days; the more it fell, the sooner they
    left. The model gives falling adherence a positive coefficient and ranks the employed by it."""
    people: dict[str, list[Stint]] = {}
    shifts: list[RosterShift] = []
    intervals: list[AgentInterval] = []
    as_of = dt.date(2024, 6, 30)
    drops = {}
    for i in range(40):
        hire = dt.date(2023, 1, 1) + dt.timedelta(days=i)
        drop = (i % 10) / 10 * 0.5
        leaves = i % 4 != 0
        exit_on = hire + dt.timedelta(days=400 - int(drop * 200)) if leaves else None
        person = f"p{i:02d}"
        drops[person] = drop
        people[person] = [Stint(person, (Spell(hire, exit_on, "t1", Position.AGENT),),
                                exit_reason=ExitReason.PAY if leaves else None)]
        mine, states = _worked_days(person, exit_on or as_of + dt.timedelta(days=1), drop)
        shifts += mine
        intervals += states
    with engine.begin() as conn:
        save_team(conn, "t1")
        save_people(conn, people, actor="test", now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        insert_intervals(conn, intervals)
        _save_week_roster(conn, "year", shifts)
        report = warning_report(conn, as_of=as_of, tz=TZ)
    coef = {c["signal"]: c for c in report["model"]["coefficients"]}
    assert coef["adherence_drop"]["coef"] > 0
    listed = [a["person"] for a in report["agents"]]
    assert listed == sorted(listed, key=lambda p: -drops[p])  # the employed: same tenure signals, drops 0-0.4
    assert report["agents"][0]["reasons"][0]["signal"] == "adherence_drop"
