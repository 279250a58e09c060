"""Rosters in the store (SQLite and PostgreSQL): versions, publishing, the change log, and adherence
measured from agent state intervals against the published roster."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import sqlalchemy as sa
from alembic import command

from callops.scheduling.adherence import StateSpan, adherence
from callops.scheduling.roster_model import RosterBreak, RosterShift
from callops.store.engine import _alembic_config, current_revision, upgrade
from callops.store.rosters import (
    list_rosters,
    load_roster,
    publish_roster,
    published_shifts,
    roster_history,
    save_roster,
    state_spans,
)
from callops.store.schema import agent_intervals

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


def at(day: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hh, mm, tzinfo=TZ)


def shift(agent: str, day: int, hh: int) -> RosterShift:
    start = at(day, hh)
    meal = RosterBreak(start + dt.timedelta(hours=4), start + dt.timedelta(hours=5), "meal", False)
    return RosterShift(agent, start, start + dt.timedelta(hours=9), (meal,))


def test_versions_publish_and_history(engine: sa.Engine) -> None:
    """Saving again makes version 2; publishing version 1 is logged; shifts come back equal, in the site zone."""
    with engine.begin() as conn:
        v1 = save_roster(conn, "week50", [shift("A", 7, 8), shift("B", 7, 9)], first_day=dt.date(2026, 12, 7),
                         last_day=dt.date(2026, 12, 13), tz="Asia/Shanghai", summary={"status": "FEASIBLE"},
                         now=NOW, by="planner")
        v2 = save_roster(conn, "week50", [shift("A", 8, 8)], first_day=dt.date(2026, 12, 7),
                         last_day=dt.date(2026, 12, 13), tz="Asia/Shanghai", summary={}, now=NOW, by="planner")
        publish_roster(conn, "week50", 1, now=NOW + dt.timedelta(hours=1), by="lead")
    assert (v1.version, v2.version) == (1, 2)
    with engine.connect() as conn:
        back = load_roster(conn, "week50", 1)
        assert back.shifts == (shift("A", 7, 8), shift("B", 7, 9))
        assert back.published_by == "lead" and load_roster(conn, "week50").published_at is None
        assert [(v, action, by) for v, _, by, action, _ in roster_history(conn, "week50")] == [
            (1, "save", "planner"), (2, "save", "planner"), (1, "publish", "lead")]
        assert [r[:2] for r in list_rosters(conn)][0][0] == "week50"
        got = published_shifts(conn, at(7, 0), at(8, 0))
        assert sorted(s.agent for s in got) == ["A", "B"]


def test_adherence_from_state_intervals(engine: sa.Engine) -> None:
    """Agent A keeps the schedule except 30 minutes late back from the meal: adherence 8/9, conformance 1."""
    with engine.begin() as conn:
        save_roster(conn, "week", [shift("A", 7, 8)], first_day=dt.date(2026, 12, 7), last_day=dt.date(2026, 12, 7),
                    tz="Asia/Shanghai", summary={}, now=NOW, by=None)
        publish_roster(conn, "week", 1, now=NOW, by=None)
        conn.execute(agent_intervals.insert(), [
            {"source": "test", "agent": "A", "state": "ready", "start_at": at(7, 8), "end_at": at(7, 12)},
            {"source": "test", "agent": "A", "state": "break", "start_at": at(7, 12), "end_at": at(7, 13, 30)},
            {"source": "test", "agent": "A", "state": "on_call", "start_at": at(7, 13, 30), "end_at": at(7, 17)},
        ])
    with engine.connect() as conn:
        rows, exceptions = adherence(published_shifts(conn, at(7, 0), at(8, 0)), state_spans(conn, at(7, 0), at(8, 0)),
                                     start_at=at(7, 0), end_at=at(8, 0))
    assert len(rows) == 1
    row = rows[0]
    assert row.scheduled_s == 9 * 3600
    assert row.in_adherence_s == 8.5 * 3600
    assert row.conformance == 1.0
    assert [(e.start_at, e.end_at, e.scheduled, e.actual) for e in exceptions] == [
        (at(7, 13), at(7, 13, 30), "phones", "break")]


def test_adherence_counts_missing_states_against_the_phones() -> None:
    """No state at all while scheduled on the phones is out of adherence; a silent break is in it."""
    rows, exceptions = adherence([shift("A", 7, 8)], [StateSpan("A", "ready", at(7, 8), at(7, 10))],
                                 start_at=at(7, 0), end_at=at(8, 0))
    assert rows[0].in_adherence_s == 3 * 3600  # 2 h ready + the 1 h meal
    assert rows[0].worked_s == 2 * 3600
    assert {e.actual for e in exceptions} == {"none"}


def test_0010_downgrades_and_upgrades(engine: sa.Engine) -> None:
    """Below 0010 only the roster tables are gone; upgrading to head brings them back."""
    try:
        command.downgrade(_alembic_config(engine), "0010")  # later migrations' tables are not this test's
        tables = set(sa.inspect(engine).get_table_names())
        command.downgrade(_alembic_config(engine), "0009")  # the revision 0010 follows
        assert current_revision(engine) == "0009"
        assert set(sa.inspect(engine).get_table_names()) == tables - {"rosters", "roster_shifts", "roster_changes"}
    finally:
        upgrade(engine)
    assert {"rosters", "roster_shifts", "roster_changes"} <= set(sa.inspect(engine).get_table_names())
