"""Swaps and time off checked across a roster's edges (issue 11): the shifts of the adjacent published rosters
count for rest between shifts, days in a row and weekly hours (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import sqlalchemy as sa

from callops.records import Role
from callops.scheduling.roster_check import check_roster
from callops.scheduling.roster_model import Requirement, RosterAgent, RosterBreak, RosterShift
from callops.scheduling.work_rules import WorkSystem, china_rules
from callops.services.roster_requests import accept_swap, ask, decide
from callops.store.roster_builds import RosterInputs, save_inputs
from callops.store.roster_requests import get_request
from callops.store.rosters import load_roster, publish_roster, save_roster
from callops.store.users import User

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
A1 = User(1, "amy", Role.AGENT, agent_id="A1")
A2 = User(2, "ben", Role.AGENT, agent_id="A2")
PAT = User(3, "pat", Role.PLANNER)


def at(day: int, hour: int) -> dt.datetime:
    """``day`` of December 2026, local time."""
    return dt.datetime(2026, 12, day, hour, tzinfo=TZ)


def shift(agent: str, day: int, hour: int, hours: int = 9) -> RosterShift:
    """A shift from ``hour``: 9 h with a 1 h unpaid meal (8 h worked), or ``hours`` h with no break."""
    if hours != 9:
        return RosterShift(agent, at(day, hour), at(day, hour) + dt.timedelta(hours=hours))
    meal = RosterBreak(at(day, hour + 4), at(day, hour + 5), "meal", False)
    return RosterShift(agent, at(day, hour), at(day, hour + 9), (meal,))


def _save(
    conn: sa.Connection, name: str, shifts: list[RosterShift], first: int, last: int, *, inputs: bool = False
) -> int:
    stored = save_roster(
        conn,
        name,
        shifts,
        first_day=dt.date(2026, 12, first),
        last_day=dt.date(2026, 12, last),
        tz="Asia/Shanghai",
        summary={},
        now=NOW,
        by="pat",
    )
    if inputs:
        agents = tuple(RosterAgent(a, WorkSystem.STANDARD) for a in ("A1", "A2"))
        reqs = tuple(
            Requirement(at(first, 0) + dt.timedelta(minutes=30 * i), 1) for i in range(48 * (last - first + 1))
        )
        save_inputs(conn, stored.roster_id, RosterInputs(agents, reqs, None))
    publish_roster(conn, name, 1, now=NOW, by="pat")
    return stored.roster_id


def _week50(engine: sa.Engine) -> int:
    """Week 49 ends with A2 on Sunday until 23:00; week 50 (the one changed) has A1 Mon-Fri 08-17, A2 Mon-Thu
    12-21 and Sunday 08-17; week 51 has A1 Mon-Sat 08-17 (six days, the most in a row)."""
    with engine.begin() as conn:
        stored = save_roster(
            conn,
            "w49",
            [shift("A2", 6, 14)],
            first_day=dt.date(2026, 11, 30),
            last_day=dt.date(2026, 12, 6),
            tz="Asia/Shanghai",
            summary={},
            now=NOW,
            by="pat",
        )
        publish_roster(conn, "w49", stored.version, now=NOW, by="pat")
        week = (
            [shift("A1", d, 8) for d in range(7, 12)]
            + [shift("A2", d, 12) for d in range(7, 11)]
            + [shift("A2", 13, 8)]
        )
        roster_id = _save(conn, "w50", week, 7, 13, inputs=True)
        _save(conn, "w51", [shift("A1", d, 8) for d in range(14, 20)], 14, 20)
    return roster_id


def test_rest_after_the_previous_rosters_last_shift(engine: sa.Engine) -> None:
    """A2 worked until 23:00 on Sunday in week 49: taking A1's Monday 08:00 leaves 9 h of rest, refused naming
    the rule, although week 50 alone would allow it."""
    roster_id = _week50(engine)
    with engine.begin() as conn:
        got = ask(
            conn,
            A2,
            roster_id=roster_id,
            kind="swap",
            start_at=at(7, 12),
            other_agent="A1",
            other_start_at=at(7, 8),
            note="",
            now=NOW,
        )
        alone = check_roster(
            [
                RosterShift(
                    "A2"
                    if s.agent == "A1" and s.start_at == at(7, 8)
                    else "A1"
                    if s.agent == "A2" and s.start_at == at(7, 12)
                    else s.agent,
                    s.start_at,
                    s.end_at,
                    s.breaks,
                )
                for s in load_roster(conn, "w50").shifts
            ],
            [RosterAgent("A1", WorkSystem.STANDARD), RosterAgent("A2", WorkSystem.STANDARD)],
            china_rules(),
            tz=TZ,
            week_start=dt.date(2026, 12, 7),
        )
    assert [(v.agent, v.rule, v.date, v.detail) for v in got.violations] == [
        ("A2", "min_rest_between_shifts", dt.date(2026, 12, 7), "9 h < 11 h")
    ]
    assert got.request.request_id == 0  # nothing kept
    assert alone == []


def test_days_in_a_row_into_the_next_roster(engine: sa.Engine) -> None:
    """A1 taking A2's Sunday (for A1's Friday) makes Sunday to Saturday of week 51 seven days in a row."""
    roster_id = _week50(engine)
    with engine.begin() as conn:
        got = ask(
            conn,
            A1,
            roster_id=roster_id,
            kind="swap",
            start_at=at(11, 8),
            other_agent="A2",
            other_start_at=at(13, 8),
            note="",
            now=NOW,
        )
    assert [(v.agent, v.rule, v.date) for v in got.violations] == [
        ("A1", "max_consecutive_days", dt.date(2026, 12, 19))
    ]


def test_a_fine_swap_still_goes_through_and_approval_rechecks_the_edges(engine: sa.Engine) -> None:
    """A swap that keeps every rule with the neighbours is asked, accepted and approved; a neighbour published
    after the asking that breaks the rest rule makes the approval refuse it."""
    roster_id = _week50(engine)
    with engine.begin() as conn:  # Tuesday's shifts swapped (A1 12-21, A2 08-17): 11 h of rest either way
        asked = ask(
            conn,
            A1,
            roster_id=roster_id,
            kind="swap",
            start_at=at(8, 8),
            other_agent="A2",
            other_start_at=at(8, 12),
            note="dentist",
            now=NOW,
        )
        assert asked.violations == () and asked.request.request_id > 0
        accepted = accept_swap(conn, A2, asked.request.request_id, accept=True, now=NOW)
        assert accepted.violations == ()
        # meanwhile a one-day roster gives A2 a shift ending Monday at 23:00: Tuesday 08:00 leaves 9 h
        _save(conn, "extra", [RosterShift("A2", at(7, 22), at(7, 23))], 7, 7)
        refused = decide(conn, PAT, asked.request.request_id, approve=True, now=NOW)
    assert [(v.agent, v.rule, v.date) for v in refused.violations] == [
        ("A2", "min_rest_between_shifts", dt.date(2026, 12, 8))
    ]
    with engine.connect() as conn:
        assert get_request(conn, asked.request.request_id).status == "refused"


def test_weekly_hours_across_a_mid_week_edge(engine: sa.Engine) -> None:
    """A roster of Monday-Wednesday and one of Thursday-Sunday make one week (blocks from the first roster's
    Monday): A1 swapping a 4 h Monday for A2's 8 h Wednesday makes 44 h with the Thursday-Sunday shifts."""
    with engine.begin() as conn:
        roster_id = _save(
            conn, "mon-wed", [shift("A1", 7, 8, hours=4), shift("A1", 8, 8), shift("A2", 9, 8)], 7, 9, inputs=True
        )
        _save(conn, "thu-sun", [shift("A1", d, 8) for d in (10, 11, 12)] + [shift("A1", 13, 8, hours=4)], 10, 13)
        got = ask(
            conn,
            A1,
            roster_id=roster_id,
            kind="swap",
            start_at=at(7, 8),
            other_agent="A2",
            other_start_at=at(9, 8),
            note="",
            now=NOW,
        )
        alone = ask(
            conn,
            A2,
            roster_id=roster_id,
            kind="time_off",
            start_at=at(9, 8),
            other_agent=None,
            other_start_at=None,
            note="",
            now=NOW,
        )
    assert [(v.agent, v.rule, v.date, v.detail) for v in got.violations] == [
        ("A1", "max_weekly_hours", dt.date(2026, 12, 7), "44 h > 40 h")
    ]
    assert alone.violations == ()  # time off breaks nothing
