"""Early-warning signals read from stored intervals, calls and appeals; the warning report and who may see it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import sqlalchemy as sa

from callops.people import Position, Spell, Stint
from callops.records import AgentState, Call, Direction, IssueCategory, Outcome
from callops.store.people_signals import _slope_per_30_days, stint_signals, warning_report
from callops.store.records import insert_calls, insert_intervals
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
