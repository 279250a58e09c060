"""KPI queries on real call records: the same numbers from SQLite, PostgreSQL and DuckDB over Parquet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa

from callops.desk import Category, TicketRow
from callops.errors import InvalidInput
from callops.metrics import KPIS, Grain, KpiOptions, KpiRequest, is_roster_kpi, is_ticket_kpi
from callops.records import Agent, AgentInterval, Call, Outcome
from callops.store.desk import import_tickets
from callops.store.directory import save_agent, save_team
from callops.store.kpi_query import ParquetSource, Source, agent_report, kpi_report
from callops.store.parquet_export import export_parquet
from callops.store.records import insert_calls, insert_intervals
from callops.store.schema import desk_contacts
from kpi_hand_day import HAND_CONTACTS, HAND_EXPECTED, HAND_TICKETS, T0, hand_day, inbound

TZ = "Asia/Shanghai"
DAY = dt.date(2026, 3, 2)


def _store(engine: sa.Engine, calls: list[Call], states: Sequence[AgentInterval] = ()) -> None:
    with engine.begin() as conn:
        insert_calls(conn, calls)
        if states:
            insert_intervals(conn, states)


def _sources(engine: sa.Engine, tmp_path: Path) -> list[Source]:
    """The store database itself and a DuckDB view of its Parquet export."""
    export_parquet(engine, tmp_path / "pq")
    return [engine, ParquetSource(tmp_path / "pq")]


def _phone(customer: object) -> str | None:
    return None if customer is None else f"+861380000000{customer}"


def _store_hand_tickets(engine: sa.Engine) -> None:
    """The hand-computed day's tickets, opened at T0 (resolved after their ``resolution_h``), a customer's later
    ticket where the day's has a ``next_issue_gap_s`` (outside the day), and the day's saved contact forms."""
    rows = [TicketRow(f"H{i}", _phone(t["customer_id"]), Category(str(t["category"])), T0,
                      None if t["resolution_h"] is None else T0 + dt.timedelta(hours=float(str(t["resolution_h"]))),
                      bool(t["escalated"]), int(str(t["contacts"])), i + 2) for i, t in enumerate(HAND_TICKETS)]
    rows += [TicketRow(f"L{i}", _phone(t["customer_id"]), Category(str(t["category"])),
                       T0 + dt.timedelta(seconds=float(str(t["next_issue_gap_s"]))), None, False, 1, 100 + i)
             for i, t in enumerate(HAND_TICKETS) if t["next_issue_gap_s"] is not None]
    with engine.begin() as conn:
        import_tickets(conn, rows, file="hand", now=T0)
        conn.execute(desk_contacts.insert(), [
            {"agent": "a1", "username": "t", "category": "inquiry", "resolved": True, "saved_at": T0,
             "acw_s": c["acw_s"], "call_ended_at": None if c["acw_s"] is None else T0} for c in HAND_CONTACTS])


def test_every_kpi_matches_the_hand_computed_day(engine: sa.Engine, tmp_path: Path) -> None:
    """Every KPI from stored records equals its hand-computed value, on the database and (all but the ticket
    KPIs, which DuckDB refuses naming the engine) on DuckDB."""
    _store(engine, *hand_day())
    _store_hand_tickets(engine)
    for source in _sources(engine, tmp_path):
        keys = tuple(k.key for k in KPIS if not (isinstance(source, ParquetSource) and is_ticket_kpi(k.key))
                     and not is_roster_kpi(k.key))  # roster KPIs need a published roster: test_roster_kpis.py
        request = KpiRequest(start=DAY, end=DAY, grain=Grain.DAY, tz=TZ, kpis=keys,
                             options=KpiOptions(short_abandon_s=5.0))
        [row] = kpi_report(source, request)
        assert row.period == "2026-03-02"
        for key in keys:
            assert row.kpis[key] == pytest.approx(HAND_EXPECTED[key]), (type(source).__name__, key)
        if isinstance(source, ParquetSource):
            with pytest.raises(InvalidInput) as err:
                kpi_report(source, KpiRequest(start=DAY, end=DAY, grain=Grain.DAY, tz=TZ, kpis=("tickets",)))
            assert err.value.field == "engine"


def test_seed_003_worked_example_from_records(engine: sa.Engine, tmp_path: Path) -> None:
    """510 stored offered calls: answer rate 90.2 %, service level 80.4 %, abandon rate 7.8 % on every engine."""
    calls = ([inbound(Outcome.ANSWERED, 5 + i % 16) for i in range(410)]
             + [inbound(Outcome.ANSWERED, 21 + i) for i in range(50)]
             + [inbound(Outcome.ABANDONED, 35) for _ in range(40)] + [inbound(Outcome.TIMEOUT, 90) for _ in range(10)])
    _store(engine, calls)
    request = KpiRequest(start=DAY, end=DAY, grain=Grain.DAY, tz=TZ)
    for source in _sources(engine, tmp_path):
        [row] = kpi_report(source, request)
        k = row.kpis
        assert (k["offered"], k["answered"], k["abandoned"], k["lost"]) == (510, 460, 40, 50)
        assert [round(k[x] or 0, 3) for x in ("answer_rate", "service_level", "abandon_rate")] == [0.902, 0.804,
                                                                                                  0.078]


def test_new_york_dst_buckets_in_local_time(engine: sa.Engine, tmp_path: Path) -> None:
    """Around the 2026-03-08 spring-forward, calls land in their local hour and local day on every engine."""
    utc = dt.UTC
    calls = [inbound(Outcome.ANSWERED, 5, at=dt.datetime(2026, 3, 8, 6, 30, tzinfo=utc)),  # 01:30 EST
             inbound(Outcome.ANSWERED, 5, at=dt.datetime(2026, 3, 8, 7, 30, tzinfo=utc)),  # 03:30 EDT
             inbound(Outcome.ANSWERED, 5, at=dt.datetime(2026, 3, 9, 3, 30, tzinfo=utc)),  # 23:30 EDT on the 8th
             inbound(Outcome.ANSWERED, 5, at=dt.datetime(2026, 3, 7, 4, 59, tzinfo=utc))]  # 23:59 EST on the 6th
    _store(engine, calls)
    hourly = KpiRequest(start=dt.date(2026, 3, 7), end=dt.date(2026, 3, 8), grain=Grain.HOUR,
                        tz="America/New_York", kpis=("offered",))
    daily = KpiRequest(start=dt.date(2026, 3, 6), end=dt.date(2026, 3, 8), grain=Grain.DAY,
                       tz="America/New_York", kpis=("offered",))
    for source in _sources(engine, tmp_path):
        assert [(r.period, r.kpis["offered"]) for r in kpi_report(source, hourly)] == [
            ("2026-03-08T01:00", 1), ("2026-03-08T03:00", 1), ("2026-03-08T23:00", 1)]
        assert [(r.period, r.kpis["offered"]) for r in kpi_report(source, daily)] == [
            ("2026-03-06", 1), ("2026-03-08", 3)]


def test_dimensions_team_and_queue_with_previous_period(engine: sa.Engine, tmp_path: Path) -> None:
    """--by team joins the agent directory; --compare-previous brings the day before per team."""
    with engine.begin() as conn:
        save_team(conn, "A")
        save_team(conn, "B")
        save_agent(conn, Agent("a1", "Ann", team="A"))
        save_agent(conn, Agent("a2", "Bo", team="B"))
    day_before = T0 - dt.timedelta(days=1)
    _store(engine, [inbound(Outcome.ANSWERED, 5, agent="a1"), inbound(Outcome.ANSWERED, 50, agent="a1"),
                    inbound(Outcome.ANSWERED, 5, agent="a2"), inbound(Outcome.ANSWERED, 5, agent="a1", at=day_before)])
    request = KpiRequest(start=DAY, end=DAY, grain=Grain.DAY, tz=TZ, dims=("team", "queue"),
                         kpis=("answered", "service_level"), compare_previous=True)
    for source in _sources(engine, tmp_path):
        rows = [r.as_dict() for r in kpi_report(source, request)]
        assert rows == [
            {"period": "2026-03-02", "team": "A", "queue": "sales", "answered": 2, "service_level": 0.5,
             "prev_answered": 1, "prev_service_level": 1.0},
            {"period": "2026-03-02", "team": "B", "queue": "sales", "answered": 1, "service_level": 1.0,
             "prev_answered": 0, "prev_service_level": None}]


def test_agent_report_joins_inbound_states_and_outbound(engine: sa.Engine, tmp_path: Path) -> None:
    """The per-agent table has a1's handling, occupancy, away time by reason and outbound results."""
    _store(engine, *hand_day())
    for source in _sources(engine, tmp_path):
        rows = {r["agent"]: r for r in agent_report(source, start=DAY, end=DAY, tz=TZ)}
        a1 = rows["a1"]
        assert (a1["answered"], a1["dials"], a1["connects"], a1["conversions"]) == (2, 5, 3, 1)
        assert a1["occupancy"] == pytest.approx(3600 / 5400) and a1["work_hours"] == pytest.approx(2.0)
        assert a1["away_lunch_s"] == pytest.approx(1800.0) and a1["efficiency"] == pytest.approx(1.0)
        assert rows["a2"]["answered"] == 1 and rows["a2"]["away_lunch_s"] == 0.0
