"""New-hire ramp, emotional load and coaching sessions, from stored calls and states (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.errors import InvalidInput, NotFound
from callops.people import Position, Spell, Stint
from callops.people.load import longest_streak
from callops.people.ramp import WeekTotals, ramp_curves
from callops.records import AgentInterval, AgentState, Call, Direction, IssueCategory, Outcome
from callops.store.directory import save_team
from callops.store.people import save_people
from callops.store.people_activity import load_weeks, ramp_totals
from callops.store.people_coaching import CoachingKind, add_session, list_sessions
from callops.store.qa_reviews import list_audit
from callops.store.records import insert_calls, insert_intervals
from callops.store.schema import calls

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _call(key: str, agent: str, at: dt.datetime, *, handle_s: float = 180.0, resolved: bool | None = None,
          complaint: bool = False) -> Call:
    return Call("test", key, Direction.INBOUND, Outcome.ANSWERED, queue="q", queue_entered_at=at, answered_at=at,
                ended_at=at + dt.timedelta(seconds=handle_s), agent=agent, talk_s=handle_s - 30, acw_s=30.0,
                issue_resolved=resolved, issue_category=IssueCategory.COMPLAINT if complaint else None)


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), TZ)


def _people(conn: sa.Connection) -> list[Stint]:
    save_team(conn, "t1")
    stints = [Stint("n1", (Spell(dt.date(2024, 3, 4), None, "t1", Position.AGENT),)),
              Stint("n2", (Spell(dt.date(2024, 3, 18), None, "t1", Position.AGENT),))]
    save_people(conn, {s.person: [s] for s in stints}, actor="test", now=NOW)
    return stints


def test_ramp_by_week_of_tenure(engine: sa.Engine) -> None:
    """Week 1 is the hire day and six more; calls before the hire or after the weeks asked are left out."""
    with engine.begin() as conn:
        stints = _people(conn)
        insert_calls(conn, [
            _call("a", "n1", _at(dt.date(2024, 3, 4), 0, 5), handle_s=300, resolved=True),  # week 1, 00:05
            _call("b", "n1", _at(dt.date(2024, 3, 10), 23, 50), handle_s=500, resolved=False),  # last minutes of week 1
            _call("c", "n1", _at(dt.date(2024, 3, 18)), handle_s=200),  # week 3
            _call("d", "n1", _at(dt.date(2024, 3, 3)), handle_s=999),  # before the hire
            _call("e", "n2", _at(dt.date(2024, 3, 20)), handle_s=100, resolved=True),  # n2's week 1
            _call("f", "n1", _at(dt.date(2024, 6, 30)), handle_s=999)])  # week 18: beyond --weeks 4
        totals = ramp_totals(conn, stints, tz=TZ, weeks=4)
    points = {(p.cohort, p.week): p for p in ramp_curves(totals)}
    assert set(points) == {("2024-03", 1), ("2024-03", 3)}
    first = points[("2024-03", 1)]
    assert (first.agents, first.calls, first.aht_s) == (2, 3, 300.0)
    assert first.fcr_flag == pytest.approx(2 / 3, abs=1e-6)
    assert points[("2024-03", 3)].fcr_flag is None and points[("2024-03", 3)].aht_s == 200.0


def test_ramp_pools_qa_scores() -> None:
    totals = [WeekTotals("a", "2024-01", 2, 0, 0.0, 0, 0, 2, 170.0),
              WeekTotals("b", "2024-01", 2, 4, 800.0, 1, 2, 1, 95.0)]
    (point,) = ramp_curves(totals)
    assert (point.qa_evaluations, point.qa_score, point.aht_s, point.agents) == (3, 88.333, 200.0, 2)


def test_emotional_load_per_week(engine: sa.Engine) -> None:
    day = dt.date(2024, 4, 2)  # a Tuesday
    pattern = [True, True, False, True, True, True]
    with engine.begin() as conn:
        _people(conn)
        insert_calls(conn, [_call(f"l{i}", "n1", _at(day, 9, 10 * i), complaint=c) for i, c in enumerate(pattern)])
        insert_intervals(conn, [AgentInterval("test", "n1", AgentState.RECOVERY, _at(day, 12), _at(day, 12, 1)),
                                AgentInterval("test", "n1", AgentState.RECOVERY, _at(day, 13),
                                              _at(day, 13) + dt.timedelta(seconds=90))])
        (week,) = load_weeks(conn, ["n1", "n2"], date_from=dt.date(2024, 4, 1), date_to=dt.date(2024, 4, 30), tz=TZ)
        with pytest.raises(InvalidInput, match="92 days"):
            load_weeks(conn, ["n1"], date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31), tz=TZ)
    assert (week.person, week.week_start, week.answered, week.distressing, week.longest_streak) == (
        "n1", "2024-04-01", 6, 5, 3)
    assert week.recovery_due_s == 450 and week.recovery_ratio == pytest.approx(150 / 450, abs=1e-6)
    assert longest_streak([]) == 0


def test_coaching_sessions_link_the_agents_calls(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        _people(conn)
        insert_calls(conn, [_call("x", "n1", _at(dt.date(2024, 4, 1))), _call("y", "n2", _at(dt.date(2024, 4, 1)))])
        ids = {r.source_call_id: int(r.id) for r in conn.execute(sa.select(calls.c.source_call_id, calls.c.id))}
        session = add_session(conn, agent="n1", lead="lee", held_on=dt.date(2024, 4, 2), kind=CoachingKind.COACHING,
                              topic="Calming an angry caller", call_ids=(ids["x"],), actions="Use the pause",
                              follow_up_on=dt.date(2024, 4, 16), actor="lee", now=NOW)
        with pytest.raises(InvalidInput, match="answered by n1"):
            add_session(conn, agent="n1", lead="lee", held_on=dt.date(2024, 4, 2), kind=CoachingKind.COACHING,
                        topic="t", call_ids=(ids["y"],), actor="lee", now=NOW)
        with pytest.raises(InvalidInput, match="follow-up"):
            add_session(conn, agent="n1", lead="lee", held_on=dt.date(2024, 4, 2), kind=CoachingKind.ONE_TO_ONE,
                        topic="t", follow_up_on=dt.date(2024, 4, 1), actor="lee", now=NOW)
        with pytest.raises(NotFound):
            add_session(conn, agent="ghost", lead="lee", held_on=dt.date(2024, 4, 2), kind=CoachingKind.RECOGNITION,
                        topic="t", actor="lee", now=NOW)
        (stored,) = list_sessions(conn, agent="n1")
        assert stored.session_id == session and stored.call_ids == (ids["x"],) and stored.lead == "lee"
        assert list_sessions(conn, lead="someone else") == []
        assert [r.action for r in list_audit(conn, subject="person:n1")] == ["person.saved", "coaching.recorded"]


def test_cli_ramp_load_and_coaching(engine: sa.Engine, db_url: str, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    monkeypatch.setenv("CALLOPS_TZ", "Asia/Shanghai")
    with engine.begin() as conn:
        _people(conn)
        insert_calls(conn, [_call("z", "n1", _at(dt.date(2024, 3, 5)), handle_s=240, complaint=True)])

    def run(*args: str) -> object:
        result = CliRunner().invoke(cli, ["people", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output) if "--format" in args else result.output

    assert run("ramp", "--from", "2024-03-01", "--to", "2024-03-31", "--format", "json") == [
        {"cohort": "2024-03", "week": 1, "agents": 1, "calls": 1, "aht_s": 240.0, "fcr_flag": None,
         "qa_evaluations": 0, "qa_score": None}]
    load = run("load", "--from", "2024-03-01", "--to", "2024-03-31", "--team", "t1", "--format", "json")
    assert isinstance(load, list) and [(w["person"], w["distressing"]) for w in load] == [("n1", 1)]
    assert "recorded" in str(run("coaching", "add", "n2", "--lead", "lee", "--on", "2024-04-01", "--topic", "Praise",
                                 "--kind", "recognition"))
    listed = run("coaching", "list", "--agent", "n2", "--format", "json")
    assert isinstance(listed, list) and [(s["kind"], s["topic"]) for s in listed] == [("recognition", "Praise")]
