"""New hires as a fraction of an agent: the ramp table (set, measured from learning curves, default), tenure weeks,
the effective headcount of a plan's queue on SQLite and PostgreSQL, the plan page's card and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from callops.cli import cli
from callops.config import Settings
from callops.errors import InvalidInput
from callops.people import build_stints, read_history_csv
from callops.people.ramp import RampPoint
from callops.people.ramp_fraction import (
    DEFAULT_RAMP,
    RampTable,
    effective_headcount,
    measured_ramp_table,
    parse_ramp_table,
    tenure_week,
)
from callops.records import Agent, Role
from callops.scheduling import PlanInterval, StaffingPlan, StaffingTargets
from callops.services.people_staffing import effective_staff, ramp_table, set_ramp_table
from callops.store.directory import save_agent, save_team
from callops.store.people import save_people
from callops.store.plans import save_plan
from callops.store.qa_reviews import list_audit
from callops.store.schema import users
from callops.web import create_app
from web_sign_in import login, password_hash

NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
PLAN_DAY = dt.datetime(2026, 12, 6, 16, 0, tzinfo=dt.UTC)  # 2026-12-07 00:00 in Asia/Shanghai
TZ = "Asia/Shanghai"


def point(week: int, calls: int, aht_s: float) -> RampPoint:
    return RampPoint("2025-01", week, 5, calls, aht_s, None, 0, None)


def test_table_parsing_weeks_and_effective_headcount() -> None:
    table = parse_ramp_table("1=0.25, 2:0.5\n3=0.75")
    assert table.fractions == (0.25, 0.5, 0.75) and table.source == "set"
    assert [table.fraction(w) for w in (0, 1, 3, 4, 40)] == [0.0, 0.25, 0.75, 1.0, 1.0]
    for bad in ("1=0.3,3=0.5", "1=1.5", "1=0", "x=1", "1=0.3,1=0.4", ""):
        with pytest.raises(InvalidInput) as err:
            parse_ramp_table(bad)
        assert err.value.field == "ramp"
    hire = dt.date(2026, 12, 1)
    assert [tenure_week(hire, hire + dt.timedelta(days=d)) for d in (-1, 0, 6, 7, 13, 14)] == [0, 1, 1, 2, 2, 3]
    staff = effective_headcount(
        {"new": hire, "vet": dt.date(2020, 1, 1), "unknown": None, "future": dt.date(2027, 1, 1)},
        on=dt.date(2026, 12, 9),
        table=table,
    )
    assert (staff.headcount, staff.new_hires, staff.effective) == (3, 1, 2.5)  # new is in week 2: 0.5


def test_measured_table_is_experienced_aht_over_the_weeks_aht() -> None:
    reference = [point(w, 100, 300.0) for w in range(13, 27)]  # after the ramp: 300 s
    points = [*reference, point(1, 100, 600.0), point(2, 200, 400.0), point(3, 10, 310.0), point(4, 50, 250.0)]
    table = measured_ramp_table(points)
    assert table.source == "measured" and table.reference_aht_s == 300.0
    assert table.fractions[:4] == (0.5, 0.75, DEFAULT_RAMP[2], 1.0)  # week 3: too few calls; week 4 capped at 1
    assert table.measured_weeks == (1, 2, 4)
    assert measured_ramp_table([point(1, 100, 600.0)]).source == "default"  # no experienced reference


HR = """person,hire_date,exit_date,exit_reason,team,position
new1,2026-11-20,,,t1,agent
vet1,2020-01-01,,,t1,agent
gone,2020-01-01,2026-06-01,pay,t1,agent
"""


@pytest.fixture
def staffed(engine: sa.Engine) -> sa.Engine:
    with engine.begin() as conn:
        save_team(conn, "t1")
        save_people(
            conn,
            build_stints(read_history_csv(HR, file="hr.csv"), known_teams={"t1"}, file="hr.csv"),
            actor="test",
            now=NOW,
        )
        for agent, skills in (("new1", {"PS": 1}), ("vet1", {"PS": 5}), ("norec", {"PS": 5}), ("other", {"X": 5})):
            save_agent(conn, Agent(agent, agent, team="t1", skills=skills))
        intervals = tuple(
            PlanInterval(
                start_at=PLAN_DAY + dt.timedelta(minutes=30 * k),
                calls=10.0,
                aht_s=180.0,
                agents=3,
                scheduled=3 if k else 4,
                service_level=0.8,
                asa_s=10.0,
                p_abandon=0.0,
                occupancy=0.7,
            )
            for k in range(4)
        )
        save_plan(conn, StaffingPlan(name="dec7", targets=StaffingTargets(), intervals=intervals, queue="PS"), now=NOW)
    return engine


def test_effective_staff_of_a_queue_and_the_site_table(staffed: sa.Engine) -> None:
    import zoneinfo

    tz = zoneinfo.ZoneInfo(TZ)
    on = dt.date(2026, 12, 7)  # new1 in week 3
    with staffed.begin() as conn:
        table = ramp_table(conn, today=on, tz=tz)
        assert table.source == "default"  # no calls to measure
        staff = effective_staff(conn, on=on, queue="PS", table=table)
        assert (staff.headcount, staff.new_hires, staff.effective) == (3, 1, 2 + DEFAULT_RAMP[2])
        set_ramp_table(conn, RampTable((0.2, 0.3, 0.4), "set"), actor="boss", now=NOW)
        table = ramp_table(conn, today=on, tz=tz)
        assert table.source == "set" and effective_staff(conn, on=on, queue="PS", table=table).effective == 2.4
        assert effective_staff(conn, on=on, queue=None, table=table).headcount == 4
        audit = list_audit(conn, subject="site:ramp_table")
        assert [a.details["after"] for a in audit] == [[0.2, 0.3, 0.4]]


@pytest.fixture
def client(staffed: sa.Engine, db_url: str) -> Iterator[TestClient]:
    with staffed.begin() as conn:
        conn.execute(
            users.insert(),
            [
                {
                    "username": "pat",
                    "password_hash": password_hash(),
                    "role": Role.PLANNER.value,
                    "agent_id": None,
                    "locale": "en",
                    "tz": TZ,
                    "active": True,
                }
            ],
        )
    app = create_app(Settings(database_url=db_url, secret_key="test-secret", site_tz=TZ), clock=lambda: NOW)
    with TestClient(app) as test_client:
        yield test_client


def test_plan_page_shows_effective_headcount_and_cli(
    client: TestClient, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.headers["X-CSRF-Token"] = login(client, "pat")
    html = client.get("/workforce/plans/dec7").text
    assert f'data-effective="{2 + DEFAULT_RAMP[2]}"' in html and 'data-headcount="3"' in html
    assert 'id="plan-staff-short"' in html and "1 new hires" in html  # 2.5 of a peak of 4
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    runner = CliRunner()
    assert runner.invoke(cli, ["people", "ramp-table", "--set", "1=0.2,2=0.3,3=0.9"]).exit_code == 0
    out = json.loads(
        runner.invoke(cli, ["people", "effective", "--on", "2026-12-07", "--queue", "PS", "--format", "json"]).output
    )
    assert out["effective"] == 2.9 and out["ramp_source"] == "set" and out["new_hires"] == 1
    assert 'data-effective="2.9"' in client.get("/workforce/plans/dec7").text
    bad = runner.invoke(cli, ["people", "ramp-table", "--set", "1=2"])
    assert bad.exit_code != 0 and "--set" in bad.output
    shown = json.loads(runner.invoke(cli, ["people", "ramp-table", "--clear", "--format", "json"]).output)
    assert shown["source"] == "default" and len(shown["weeks"]) == len(DEFAULT_RAMP)


def test_measured_from_stored_calls(engine: sa.Engine) -> None:
    """Two hires answer 40 calls a week: 360 s in week 1, 240 s in week 2, 180 s from week 13 (experienced) —
    the measured table says 0.5 and 0.75; weeks without calls keep the default."""
    import zoneinfo

    from callops.people import Position, Spell, Stint
    from callops.records import Call, Direction, Outcome
    from callops.store.records import insert_calls

    tz = zoneinfo.ZoneInfo(TZ)
    hire = dt.date(2025, 1, 6)
    handle = {1: 360.0, 2: 240.0, **{w: 180.0 for w in range(13, 27)}}
    calls = []
    for person in ("h1", "h2"):
        for week, handle_s in handle.items():
            for i in range(20):
                at = dt.datetime.combine(hire + dt.timedelta(weeks=week - 1, days=i % 5), dt.time(9, i), tz)
                calls.append(
                    Call(
                        "test",
                        f"{person}-{week}-{i}",
                        Direction.INBOUND,
                        Outcome.ANSWERED,
                        queue="PS",
                        queue_entered_at=at,
                        answered_at=at,
                        ended_at=at + dt.timedelta(seconds=handle_s),
                        agent=person,
                        talk_s=handle_s,
                    )
                )
    with engine.begin() as conn:
        save_team(conn, "t1")
        save_people(
            conn,
            {p: [Stint(p, (Spell(hire, None, "t1", Position.AGENT),))] for p in ("h1", "h2")},
            actor="test",
            now=NOW,
        )
        insert_calls(conn, calls)
        table = ramp_table(conn, today=dt.date(2025, 12, 1), tz=tz)
    assert table.source == "measured" and table.reference_aht_s == 180.0
    assert table.fractions[:3] == (0.5, 0.75, DEFAULT_RAMP[2]) and table.measured_weeks == (1, 2)
