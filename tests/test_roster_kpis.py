"""Adherence and conformance as KPIs (issue 11): the KPI layer counts the published rosters against the agent
states exactly as ``callops adherence`` does, at every grain, by agent and team (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.errors import InvalidInput
from callops.metrics import Grain, KpiRequest
from callops.scheduling.adherence import StateSpan, adherence, adherence_by_bucket
from callops.scheduling.roster_model import RosterBreak, RosterShift
from callops.store.kpi_query import ParquetSource, kpi_report
from callops.store.rosters import publish_roster, save_roster
from callops.store.schema import agent_intervals, agents, teams

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
KPIS = "adherence,conformance,scheduled_s,in_adherence_s"


def at(day: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, 7, tzinfo=TZ) + dt.timedelta(days=day - 7, hours=hh, minutes=mm)


def shift(agent: str, day: int, hh: int, hours: int = 9) -> RosterShift:
    start = at(day, hh)
    meal = RosterBreak(start + dt.timedelta(hours=4), start + dt.timedelta(hours=5), "meal", False)
    rest = RosterBreak(
        start + dt.timedelta(hours=2, minutes=10), start + dt.timedelta(hours=2, minutes=25), "rest", True
    )
    return RosterShift(agent, start, start + dt.timedelta(hours=hours), (rest, meal))


def state(agent: str, name: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    return {"source": "test", "agent": agent, "state": name, "start_at": start, "end_at": end}


def _store_week(engine: sa.Engine) -> None:
    """Two published rosters (the second replaced by a newer published version), a night shift across midnight,
    a late return from the meal, an agent who left early and logged in on a day off, an unpublished draft."""
    first = [shift("A", 7, 8), shift("B", 7, 13), shift("N", 7, 22, hours=8), shift("A", 8, 8)]
    with engine.begin() as conn:
        conn.execute(teams.insert(), [{"name": "T1"}, {"name": "T2"}])
        conn.execute(
            agents.insert(),
            [
                {"agent_id": "A", "name": "A", "team": "T1"},
                {"agent_id": "B", "name": "B", "team": "T1"},
                {"agent_id": "N", "name": "N", "team": "T2"},
            ],
        )
        save_roster(
            conn,
            "w50",
            first,
            first_day=dt.date(2026, 12, 7),
            last_day=dt.date(2026, 12, 13),
            tz="Asia/Shanghai",
            summary={},
            now=NOW,
            by="planner",
        )
        publish_roster(conn, "w50", 1, now=NOW, by="lead")
        save_roster(
            conn,
            "extra",
            [shift("B", 9, 9)],
            first_day=dt.date(2026, 12, 9),
            last_day=dt.date(2026, 12, 9),
            tz="Asia/Shanghai",
            summary={},
            now=NOW,
            by="planner",
        )
        publish_roster(conn, "extra", 1, now=NOW, by="lead")
        save_roster(
            conn,
            "extra",
            [shift("B", 9, 10)],
            first_day=dt.date(2026, 12, 9),
            last_day=dt.date(2026, 12, 9),
            tz="Asia/Shanghai",
            summary={},
            now=NOW,
            by="planner",
        )
        publish_roster(conn, "extra", 2, now=NOW, by="lead")
        save_roster(
            conn,
            "draft",
            [shift("A", 9, 8)],
            first_day=dt.date(2026, 12, 9),
            last_day=dt.date(2026, 12, 9),
            tz="Asia/Shanghai",
            summary={},
            now=NOW,
            by="planner",
        )
        conn.execute(
            agent_intervals.insert(),
            [
                state("A", "ready", at(7, 7, 50), at(7, 12)),
                state("A", "break", at(7, 12), at(7, 13, 40)),  # 40 minutes late back
                state("A", "on_call", at(7, 13, 40), at(7, 17)),
                state("B", "ready", at(7, 13, 5), at(7, 20)),  # rest break skipped, meal taken on the phones
                state("B", "logged_out", at(7, 20), at(7, 22)),  # left an hour early
                state("N", "ready", at(7, 22), at(8, 2)),
                state("N", "away", at(8, 2), at(8, 3, 7)),
                state("N", "on_call", at(8, 3, 7), at(8, 6)),
                state("A", "on_call", at(8, 8), at(8, 17)),
                state("A", "ready", at(10, 9), at(10, 11)),  # logged in on a day with no shift
                state("B", "ready", at(9, 10), at(9, 19)),
            ],
        )


def _cli(db_url: str, *args: str) -> Any:
    runner = CliRunner(env={"CALLOPS_DATABASE_URL": db_url, "CALLOPS_TZ": "Asia/Shanghai"})
    out = runner.invoke(cli, list(args))
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def _adherence_cli(db_url: str, first: str, last: str) -> dict[str, dict[str, Any]]:
    rows = _cli(db_url, "adherence", "--from", first, "--to", last, "--by", "agent", "--format", "json")
    return {r["agent"]: r for r in rows if r["scheduled_s"] or r["worked_s"]}


def test_day_by_agent_equals_callops_adherence(engine: sa.Engine, db_url: str) -> None:
    """``report kpi --kpis adherence,conformance,... --grain day --by agent`` gives, for every day and agent,
    the numbers ``callops adherence`` gives for that day (a night shift split at midnight included)."""
    _store_week(engine)
    report = _cli(
        db_url,
        "report",
        "kpi",
        "--from",
        "2026-12-07",
        "--to",
        "2026-12-10",
        "--kpis",
        KPIS,
        "--grain",
        "day",
        "--by",
        "agent",
        "--format",
        "json",
        "--tz",
        "Asia/Shanghai",
    )
    by_day: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)  # day -> agent -> row
    for row in report:
        by_day[str(row["period"])][str(row["agent"])] = row
    assert sorted(by_day) == ["2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10"]
    for day, got in by_day.items():
        want = _adherence_cli(db_url, day, day)
        assert sorted(got) == sorted(want), day
        for agent, row in want.items():
            assert got[agent]["scheduled_s"] == pytest.approx(row["scheduled_s"]), (day, agent)
            assert got[agent]["in_adherence_s"] == pytest.approx(row["in_adherence_s"]), (day, agent)
            for ratio in ("adherence", "conformance"):
                if row[ratio] is None:
                    assert got[agent][ratio] is None
                else:
                    assert got[agent][ratio] == pytest.approx(row[ratio], abs=5e-5), (day, agent, ratio)
    monday = by_day["2026-12-07"]
    assert monday["A"]["scheduled_s"] == 9 * 3600
    assert monday["A"]["in_adherence_s"] == 9 * 3600 - 40 * 60 - 15 * 60  # late from the meal, no rest break
    assert monday["N"]["scheduled_s"] == 2 * 3600  # 22:00-24:00; the rest of the night counts on Tuesday
    assert by_day["2026-12-09"]["B"]["scheduled_s"] == 9 * 3600  # the newest published version: 10:00
    assert by_day["2026-12-10"]["A"]["scheduled_s"] == 0 and by_day["2026-12-10"]["A"]["adherence"] is None


def test_every_grain_adds_up_to_the_period(engine: sa.Engine, db_url: str) -> None:
    """15-minute buckets add up to the day, the ISO week and the total equal ``callops adherence`` over the
    same days, and a team's row is the sum of its agents'."""
    _store_week(engine)
    want_week = _adherence_cli(db_url, "2026-12-07", "2026-12-13")
    for grain in ("week", "month", "year", "total"):
        request = KpiRequest(
            start=dt.date(2026, 12, 7),
            end=dt.date(2026, 12, 13),
            grain=Grain(grain),
            tz="Asia/Shanghai",
            dims=("agent",),
            kpis=tuple(KPIS.split(",")),
        )
        rows = {str(dict(r.dims)["agent"]): r.kpis for r in kpi_report(engine, request)}
        assert sorted(rows) == sorted(want_week), grain
        for agent, row in want_week.items():
            assert rows[agent]["scheduled_s"] == pytest.approx(row["scheduled_s"]), (grain, agent)
            assert rows[agent]["in_adherence_s"] == pytest.approx(row["in_adherence_s"]), (grain, agent)
    fine = KpiRequest(
        start=dt.date(2026, 12, 7),
        end=dt.date(2026, 12, 8),
        grain=Grain.MIN15,
        tz="Asia/Shanghai",
        dims=("agent",),
        kpis=("scheduled_s", "in_adherence_s"),
    )
    sums: dict[str, float] = defaultdict(float)
    quarter_hours = 0
    for r in kpi_report(engine, fine):
        if dict(r.dims)["agent"] == "N":
            sums["scheduled_s"] += r.kpis["scheduled_s"] or 0
            sums["in_adherence_s"] += r.kpis["in_adherence_s"] or 0
            quarter_hours += 1
    assert quarter_hours == 8 * 4  # one row per quarter hour of the night shift
    night = _adherence_cli(db_url, "2026-12-07", "2026-12-08")["N"]
    assert sums["scheduled_s"] == night["scheduled_s"] == 8 * 3600
    assert sums["in_adherence_s"] == night["in_adherence_s"] == 8 * 3600 - 22 * 60  # no rest break, 7 min late
    by_team = KpiRequest(
        start=dt.date(2026, 12, 7),
        end=dt.date(2026, 12, 7),
        grain=Grain.DAY,
        tz="Asia/Shanghai",
        dims=("team",),
        kpis=("scheduled_s", "in_adherence_s", "adherence"),
    )
    teams_rows = {dict(r.dims)["team"]: r.kpis for r in kpi_report(engine, by_team)}
    monday = _adherence_cli(db_url, "2026-12-07", "2026-12-07")
    t1 = monday["A"]["in_adherence_s"] + monday["B"]["in_adherence_s"]
    assert teams_rows["T1"]["in_adherence_s"] == pytest.approx(t1)
    assert teams_rows["T1"]["adherence"] == pytest.approx(
        t1 / (monday["A"]["scheduled_s"] + monday["B"]["scheduled_s"])
    )


def test_a_team_leads_scope_and_bad_requests(engine: sa.Engine, tmp_path: Path) -> None:
    """Only the agents asked for are counted; a queue split, a scenario and a Parquet source are refused
    naming the field."""
    _store_week(engine)
    request = KpiRequest(
        start=dt.date(2026, 12, 7),
        end=dt.date(2026, 12, 7),
        grain=Grain.DAY,
        tz="Asia/Shanghai",
        dims=("agent",),
        kpis=("scheduled_s",),
        agents=frozenset({"B"}),
    )
    assert [dict(r.dims)["agent"] for r in kpi_report(engine, request)] == ["B"]
    with pytest.raises(InvalidInput) as by_queue:
        KpiRequest(
            start=dt.date(2026, 12, 7),
            end=dt.date(2026, 12, 7),
            grain=Grain.DAY,
            tz="Asia/Shanghai",
            dims=("queue",),
            kpis=("adherence",),
        )
    assert by_queue.value.field == "by"
    with pytest.raises(InvalidInput) as scenario:
        KpiRequest(
            start=dt.date(2026, 12, 7),
            end=dt.date(2026, 12, 7),
            grain=Grain.DAY,
            tz="Asia/Shanghai",
            kpis=("adherence",),
            scenario="x",
        )
    assert scenario.value.field == "scenario"
    parquet = KpiRequest(
        start=dt.date(2026, 12, 7), end=dt.date(2026, 12, 7), grain=Grain.DAY, tz="Asia/Shanghai", kpis=("adherence",)
    )
    with pytest.raises(InvalidInput) as engine_error:
        kpi_report(ParquetSource(tmp_path), parquet)
    assert engine_error.value.field == "engine"


def test_buckets_add_up_to_the_period_pure() -> None:
    """The pure bucket split: for shifts and states at odd minutes, the 15-minute buckets sum to one period."""
    shifts = [shift("A", 7, 8), shift("B", 7, 22, hours=8)]
    states = [
        StateSpan("A", "ready", at(7, 8, 3), at(7, 12, 7)),
        StateSpan("A", "away", at(7, 12, 7), at(7, 13, 1)),
        StateSpan("A", "on_call", at(7, 13, 1), at(7, 16, 59)),
        StateSpan("B", "hold", at(7, 21, 31), at(8, 5, 44)),
    ]
    bounds = [at(7, 0) + dt.timedelta(minutes=15 * i) for i in range(2 * 96 + 1)]
    parts = adherence_by_bucket(shifts, states, bounds)
    whole, _ = adherence(shifts, states, start_at=bounds[0], end_at=bounds[-1])
    for row in whole:
        mine = [r for rows in parts.values() for r in rows if r.agent == row.agent]
        assert sum(r.scheduled_s for r in mine) == pytest.approx(row.scheduled_s)
        assert sum(r.in_adherence_s for r in mine) == pytest.approx(row.in_adherence_s)
        assert sum(r.worked_s for r in mine) == pytest.approx(row.worked_s)
    assert 0 < whole[0].in_adherence_s < whole[0].scheduled_s


def test_reports_page_and_api_show_adherence(engine: sa.Engine, db_url: str) -> None:
    """The report builder offers adherence and shows it per agent in English and zh-CN; the KPI API gives the
    numbers of ``callops adherence``."""
    from fastapi.testclient import TestClient

    from callops.config import Settings
    from callops.records import Role
    from callops.web import create_app
    from web_sign_in import insert_users, login

    _store_week(engine)
    with engine.begin() as conn:
        insert_users(conn, [("boss", Role.MANAGER, None, "en"), ("laoban", Role.MANAGER, None, "zh-CN")])
    settings = Settings(database_url=db_url, secret_key="test-secret", site_tz="Asia/Shanghai")
    want = _adherence_cli(db_url, "2026-12-07", "2026-12-07")
    with TestClient(create_app(settings)) as client:
        login(client, "boss")
        api = client.get(
            "/api/reports/kpi",
            params={"from": "2026-12-07", "to": "2026-12-07", "grain": "day", "by": "agent", "kpis": KPIS},
        )
        assert api.status_code == 200, api.text
        rows = {r["agent"]: r for r in api.json()}
        assert rows["A"]["adherence"] == pytest.approx(want["A"]["adherence"], abs=5e-5)
        assert rows["B"]["conformance"] == pytest.approx(want["B"]["conformance"], abs=5e-5)
        page = client.get(
            "/reports/builder",
            params=[
                ("from", "2026-12-07"),
                ("to", "2026-12-07"),
                ("grain", "day"),
                ("dim", "agent"),
                ("kpi", "adherence"),
                ("kpi", "conformance"),
            ],
        )
        assert page.status_code == 200, page.text
        assert 'value="adherence" checked> Adherence' in page.text
        assert f"{want['A']['adherence'] * 100:.1f}%" in page.text
        bad = client.get(
            "/api/reports/kpi", params={"from": "2026-12-07", "to": "2026-12-07", "by": "queue", "kpis": "adherence"}
        )
        assert bad.status_code == 400 and "by" in bad.text
    with TestClient(create_app(settings)) as client:
        login(client, "laoban")
        page = client.get(
            "/reports/builder",
            params=[("from", "2026-12-07"), ("to", "2026-12-07"), ("dim", "agent"), ("kpi", "adherence")],
        )
        assert page.status_code == 200 and "遵时率" in page.text
