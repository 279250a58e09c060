"""KPI pre-aggregates: the same report as the calls table gives, kept by every write of calls, rebuilt on demand.

Both read models run on the demo month and on generated calls around DST changes (New York, Berlin, Lord
Howe's 30-minute change, Kathmandu's +5:45), and over weeks to years composed from the UTC-day level and the
ragged edges (Shanghai's +8:00, Kathmandu's +5:45, St. John's -3:30 and its DST), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.metrics import (
    KPIS,
    Grain,
    KpiOptions,
    KpiRequest,
    ReportRow,
    SlDenominator,
    Table,
    is_roster_kpi,
    is_ticket_kpi,
    local_range_ms,
    measure,
    measures_for,
)
from callops.metrics.preaggregates import BINNED, bin_edge, plan_reads
from callops.records import Agent, Call, Direction, Outcome
from callops.store.directory import save_agent, save_team
from callops.store.kpi_aggregates import fits_zone, read_level, rebuild
from callops.store.kpi_day_reads import day_reads
from callops.store.kpi_query import agent_report, kpi_report
from callops.store.record_batches import insert_prepared, prepare_calls, row_of_call
from callops.store.records import insert_calls
from callops.store.scenarios import delete_scenario, save_scenario
from callops.store.schema import (
    KPI_LEVELS,
    kpi_buckets,
    kpi_buckets_day,
    kpi_buckets_queue,
    kpi_buckets_queue_hour,
    kpi_wait_bins,
)
from generated_calls import aggregate_tables, generated_calls

# the call and agent KPIs: tickets and rosters (adherence) have no aggregates
ALL_KPIS = tuple(k.key for k in KPIS if not is_ticket_kpi(k.key) and not is_roster_kpi(k.key))
DEMO_TZ = "Asia/Jerusalem"


def _assert_same(fast: Sequence[ReportRow], slow: Sequence[ReportRow]) -> None:
    """Row for row, value for value, to the last bit (sums are of whole microseconds: no float-order drift)."""
    assert [(r.period, r.dims) for r in fast] == [(r.period, r.dims) for r in slow]
    assert list(fast) == list(slow)


def _both(engine: sa.Engine, request: KpiRequest) -> tuple[list[ReportRow], list[ReportRow]]:
    return kpi_report(engine, request), kpi_report(engine, request, read_model="calls")


# --- the demo month ---------------------------------------------------------------------------------

DEMO_CASES = [
    dict(grain=Grain.MIN15, dims=("queue",)),
    dict(grain=Grain.MIN30, dims=()),
    dict(grain=Grain.DAY, dims=("queue", "call_type"), compare_previous=True),
    dict(grain=Grain.WEEK, dims=("agent",)),
    dict(grain=Grain.MONTH, dims=("team",)),
    dict(grain=Grain.TOTAL, dims=("priority", "source"), options=KpiOptions(sl_threshold_s=0.0, short_abandon_s=5.0)),
    dict(grain=Grain.DAY, dims=(), options=KpiOptions(sl_threshold_s=130.0, short_abandon_s=600.0,
                                                      sl_denominator=SlDenominator.OFFERED_MINUS_SHORT)),
    dict(grain=Grain.DAY, dims=("queue",), options=KpiOptions(sl_threshold_s=20.5)),  # off the bin edges: calls
    dict(grain=Grain.YEAR, dims=("queue",)),
]


@pytest.mark.parametrize("case", DEMO_CASES, ids=lambda c: f"{c['grain'].value}-{'+'.join(c['dims']) or 'all'}")
def test_demo_month_reads_the_same_from_both(demo_engine: sa.Engine, case: dict[str, Any]) -> None:
    """Every KPI of the demo month, at grains from 15 minutes to a year, by each dimension, with several
    service-level and short-abandon thresholds: the pre-aggregates give exactly what the calls table gives."""
    request = KpiRequest(start=dt.date(1999, 1, 1), end=dt.date(1999, 1, 31), tz=DEMO_TZ, kpis=ALL_KPIS, **case)
    fast, slow = _both(demo_engine, request)
    assert sum(r.kpis["offered"] or 0 for r in slow) > 20_000
    _assert_same(fast, slow)


def test_demo_team_lead_scope_and_agent_table(demo_engine: sa.Engine) -> None:
    """A team lead's scope (only some agents) and the per-agent table agree on both read models."""
    with demo_engine.connect() as conn:
        agents = sorted(r[0] for r in conn.execute(sa.text("SELECT DISTINCT agent FROM calls WHERE agent IS NOT NULL")))
    scope = frozenset(agents[:3])
    request = KpiRequest(start=dt.date(1999, 1, 4), end=dt.date(1999, 1, 10), grain=Grain.DAY, tz=DEMO_TZ,
                         kpis=ALL_KPIS, agents=scope, dims=("queue",))
    fast, slow = _both(demo_engine, request)
    assert fast and fast == slow
    none = KpiRequest(start=dt.date(1999, 1, 4), end=dt.date(1999, 1, 4), grain=Grain.DAY, tz=DEMO_TZ,
                      agents=frozenset())
    assert kpi_report(demo_engine, none) == kpi_report(demo_engine, none, read_model="calls")
    kw: dict[str, Any] = {"start": dt.date(1999, 1, 1), "end": dt.date(1999, 1, 31), "tz": DEMO_TZ}
    assert agent_report(demo_engine, **kw) == agent_report(demo_engine, **kw, read_model="calls")


# --- generated calls around DST changes -------------------------------------------------------------

# (zone, first UTC day, days): each range holds a DST change (Lord Howe's is 30 minutes) or a +5:45 offset
ZONES = [("America/New_York", dt.date(2026, 3, 6), 4), ("Europe/Berlin", dt.date(2026, 10, 23), 4),
         ("Australia/Lord_Howe", dt.date(2026, 4, 3), 4), ("Asia/Kathmandu", dt.date(2026, 6, 1), 3)]
WHOLE_HOURS = {"America/New_York", "Europe/Berlin"}  # these read days and longer by queue from the hour level


def _ms(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp() * 1000)


@pytest.mark.parametrize(("tz", "first", "days"), ZONES, ids=[z[0] for z in ZONES])
def test_reports_read_the_coarsest_level_that_fits(tz: str, first: dt.date, days: int) -> None:
    """Hourly to yearly grains by queue or in total read the hour level in whole-hour zones, the 15-minute queue
    level otherwise, below an hour and by call type, priority or source; agent and team reports read the level
    with the agent."""
    lo, hi = _ms(first), _ms(first + dt.timedelta(days=days))
    hour = kpi_buckets_queue_hour if tz in WHOLE_HOURS else kpi_buckets_queue
    for grain, dims, only, expected in [
        (Grain.DAY, ("queue",), None, hour), (Grain.MIN60, (), None, hour), (Grain.TOTAL, (), None, hour),
        (Grain.YEAR, ("source",), None, kpi_buckets_queue), (Grain.DAY, ("queue", "call_type"), None,
                                                             kpi_buckets_queue),
        (Grain.MIN30, ("queue",), None, kpi_buckets_queue), (Grain.MIN15, (), None, kpi_buckets_queue),
        (Grain.DAY, ("team",), None, kpi_buckets), (Grain.MONTH, ("queue",), frozenset({"a1"}), kpi_buckets),
    ]:
        level = read_level(dims, only, grain=grain, tz=tz, lo_ms=lo, hi_ms=hi)
        assert level is not None and level[0] is expected, (grain, dims)
    assert read_level((), None, grain=Grain.DAY, tz="Africa/Monrovia", lo_ms=0, hi_ms=86_400_000) is None
    utc = read_level(("call_type",), None, grain=Grain.MONTH, tz="UTC", lo_ms=lo, hi_ms=hi)  # local days: UTC days
    assert utc is not None and utc[0] is kpi_buckets_day
    assert read_level(("queue",), None, grain=Grain.HOUR, tz="UTC", lo_ms=lo, hi_ms=hi) == KPI_LEVELS[1]
    with pytest.raises(ValueError, match="direction"):
        read_level(("direction",), None, grain=Grain.DAY, tz=tz, lo_ms=lo, hi_ms=hi)


def _teams(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        save_team(conn, "A")
        save_agent(conn, Agent(agent_id="a1", name="a1", team="A"))
        save_agent(conn, Agent(agent_id="a2", name="a2", team="A"))


@pytest.mark.parametrize(("tz", "first", "days"), ZONES, ids=[z[0] for z in ZONES])
def test_generated_calls_across_dst_read_the_same(engine: sa.Engine, tz: str, first: dt.date, days: int) -> None:
    """Generated calls written in several transactions (so upkeep merges into existing buckets) report the same
    from both read models at every grain in a zone whose offset or DST change is a multiple of 15 minutes, with
    preset thresholds (stored counts) and other bin edges (histograms)."""
    _teams(engine)
    start = dt.datetime.combine(first, dt.time(), dt.UTC)
    calls = list(generated_calls(start, days, 900, seed=7))
    for part in range(3):
        with engine.begin() as conn:
            insert_calls(conn, calls[part::3])
    end = first + dt.timedelta(days=days - 1)
    assert fits_zone(tz, _ms(first), _ms(end))
    assert fits_zone(tz, _ms(first), _ms(end), 3_600_000) == (tz in WHOLE_HOURS)
    presets, edges = KpiOptions(sl_threshold_s=120.0, short_abandon_s=20.0), KpiOptions(sl_threshold_s=130.0,
                                                                                        short_abandon_s=7.0)
    for n, grain in enumerate((Grain.MIN15, Grain.MIN30, Grain.MIN60, Grain.DAY, Grain.WEEK, Grain.MONTH,
                               Grain.YEAR, Grain.TOTAL)):
        for dims in ((), ("queue", "agent"), ("team",)):
            request = KpiRequest(start=first, end=end, grain=grain, tz=tz, dims=dims, kpis=ALL_KPIS,
                                 options=presets if n % 2 else edges)  # stored counts, or histograms
            fast, slow = _both(engine, request)
            assert slow
            _assert_same(fast, slow)


def test_a_zone_off_the_quarter_hour_reads_calls(engine: sa.Engine) -> None:
    """Liberia kept -0:44:30 until 1972: the buckets do not fit, so the report reads the calls table."""
    first = dt.date(1971, 3, 1)
    with engine.begin() as conn:
        insert_calls(conn, generated_calls(dt.datetime(1971, 3, 1, tzinfo=dt.UTC), 2, 300, seed=3))
    lo = int(dt.datetime(1971, 3, 1, tzinfo=dt.UTC).timestamp() * 1000)
    assert not fits_zone("Africa/Monrovia", lo, lo + 86_400_000)
    request = KpiRequest(start=first, end=first + dt.timedelta(days=1), grain=Grain.MIN15, tz="Africa/Monrovia",
                         kpis=ALL_KPIS)
    fast, slow = _both(engine, request)
    assert slow and fast == slow


# --- weeks to years from the UTC-day level and the ragged edges --------------------------------------------

# (zone, first and last local day): ranges whose local midnights are mid-UTC-day
LONG = [("Asia/Shanghai", dt.date(2026, 3, 1), dt.date(2026, 4, 7)),  # +8:00, from a Sunday
        ("Asia/Kathmandu", dt.date(2026, 6, 24), dt.date(2026, 7, 9)),  # +5:45
        ("America/St_Johns", dt.date(2026, 10, 26), dt.date(2026, 11, 10)),  # -2:30, then -3:30 from Nov 1
        ("America/New_York", dt.date(2026, 2, 25), dt.date(2026, 3, 16))]  # DST on Mar 8
LONG_DIMS: list[tuple[str, ...]] = [(), ("queue",), ("call_type",), ("priority", "source"), ("team",)]


def _tables_read(reads: Sequence[tuple[sa.Select[Any], tuple[str, ...]]]) -> set[str]:
    return {name for statement, _ in reads for name in re.findall(r"FROM (\w+)", str(statement))}


@pytest.mark.parametrize(("tz", "first", "last"), LONG, ids=[z[0] for z in LONG])
def test_long_ranges_from_whole_utc_days_and_edges_read_the_same(engine: sa.Engine, tz: str, first: dt.date,
                                                                  last: dt.date) -> None:
    """Weeks, months, quarters, years and totals in total and by queue, call type, priority and source read
    the whole UTC days from the day level and the edges from the hour level (whole-hour zones, in total or by
    queue) or the 15-minute queue level, and give what the calls table gives, to the last bit: with preset
    thresholds (stored counts) and others on the bin edges (histograms), a week of one day (Shanghai's range
    starts on a Sunday), and a team (the agent level, for the whole range) beside them."""
    _teams(engine)
    start = dt.datetime.combine(first - dt.timedelta(days=1), dt.time(), dt.UTC)
    calls = list(generated_calls(start, (last - first).days + 3, 150, seed=12))
    for part in range(2):
        with engine.begin() as conn:
            insert_calls(conn, calls[part::2])
    presets, edges = KpiOptions(sl_threshold_s=20.0, short_abandon_s=5.0), KpiOptions(sl_threshold_s=130.0,
                                                                                     short_abandon_s=7.0)
    whole_hours = fits_zone(tz, *local_range_ms(first, last, tz), 3_600_000)
    for n, grain in enumerate((Grain.WEEK, Grain.MONTH, Grain.QUARTER, Grain.YEAR, Grain.TOTAL)):
        for m, dims in enumerate(LONG_DIMS):
            options = presets if (n + m) % 2 else edges
            reads = day_reads(plan_reads(_call_measures(), options), start=first, end=last, grain=grain, tz=tz,
                              dims=dims, options=options, scenario=None, only_agents=None)
            if "team" in dims:
                assert reads is None
            else:
                assert reads is not None
                edge = "queue_hour" if whole_hours and set(dims) <= {"queue"} else "queue"
                assert _tables_read(reads) == ({"kpi_buckets_day", f"kpi_buckets_{edge}"} if options is presets else
                                               {"kpi_buckets_day", f"kpi_buckets_{edge}", "kpi_wait_bins_day",
                                                f"kpi_wait_bins_{edge}"}), (grain, dims)
            request = KpiRequest(start=first, end=last, grain=grain, tz=tz, dims=dims, kpis=ALL_KPIS, options=options)
            fast, slow = _both(engine, request)
            assert sum(r.kpis["offered"] or 0 for r in slow) > 1000
            _assert_same(fast, slow)


def _call_measures() -> list[str]:
    return [n for n in measures_for(ALL_KPIS) if measure(n).table is Table.CALLS]


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Asia/Kathmandu", "America/St_Johns", "UTC"])
def test_short_ranges_and_days_keep_their_level(engine: sa.Engine, tz: str) -> None:
    """A total or week of one local day holds no whole UTC day (except in UTC, where the day level answers it
    alone), two days hold one; the day grain keeps one level for the range: all give what the calls table gives."""
    day = dt.date(2026, 6, 10)
    with engine.begin() as conn:
        insert_calls(conn, generated_calls(dt.datetime(2026, 6, 9, tzinfo=dt.UTC), 3, 300, seed=13))
    for grain, dims in ((Grain.TOTAL, ("queue",)), (Grain.WEEK, ("call_type",)), (Grain.DAY, ())):
        for end in (day, day + dt.timedelta(days=1)):
            request = KpiRequest(start=day, end=end, grain=grain, tz=tz, dims=dims, kpis=ALL_KPIS)
            reads = day_reads(plan_reads(_call_measures(), request.options), start=day, end=end, grain=grain,
                              tz=tz, dims=dims, options=request.options, scenario=None, only_agents=None)
            assert (reads is not None) == (grain is not Grain.DAY and (end > day or tz == "UTC")), (grain, end)
            fast, slow = _both(engine, request)
            assert slow
            _assert_same(fast, slow)


# --- upkeep ----------------------------------------------------------------------------------------


def test_every_write_keeps_what_a_rebuild_gives(engine: sa.Engine) -> None:
    """Imports (insert_prepared), single inserts, a repeated insert, a scenario saved, replaced and deleted: the
    tables then hold exactly what `rebuild` computes from calls."""
    start = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO imports (format, files, imported_at, inserted, duplicates, rejected, "
                             "skipped) VALUES ('t', 't', 0, 0, 0, 0, 0)"))
        import_id = int(conn.execute(sa.text("SELECT max(id) FROM imports")).scalar_one())
        insert_prepared(conn, prepare_calls(row_of_call(c) for c in generated_calls(start, 3, 400, seed=1)), import_id)
    with engine.begin() as conn:
        insert_calls(conn, generated_calls(start + dt.timedelta(days=1), 1, 200, seed=2))
        insert_calls(conn, generated_calls(start + dt.timedelta(days=1), 1, 200, seed=2))  # duplicates: nothing new
    with engine.begin() as conn:
        for seed in (5, 6):  # saved, then replaced
            save_scenario(conn, "what-if", definition={}, replications=1, seed=seed, summary={},
                          records=generated_calls(start, 2, 300, seed=seed, scenario="what-if", source="sim"),
                          now=start)
        save_scenario(conn, "gone", definition={}, replications=1, seed=9, summary={},
                      records=generated_calls(start, 1, 100, seed=9, scenario="gone", source="sim"), now=start)
        delete_scenario(conn, "gone")
    kept = aggregate_tables(engine)
    assert kept["kpi_buckets"] and kept["kpi_wait_bins_queue"] and kept["kpi_wait_bins_queue_hour"]
    assert kept["kpi_wait_bins_day"]
    assert {r[1] for r in kept["kpi_buckets"]} == {None, "what-if"} == {r[1] for r in kept["kpi_buckets_queue_hour"]}
    assert {r[1] for r in kept["kpi_buckets_day"]} == {None, "what-if"}  # "gone" forgotten at the day level too
    with engine.begin() as conn:
        rebuild(conn)
    assert aggregate_tables(engine) == kept


def test_writes_inside_one_hour_add_up_in_its_row(engine: sa.Engine) -> None:
    """Calls written one transaction at a time into different quarters of the same hours (a refresh touches one
    quarter, the hour row holds all four) and a scenario's saved and deleted: the hour rows add the quarters."""
    at = dt.datetime(2026, 5, 4, 9, 50, tzinfo=dt.UTC)
    calls = list(generated_calls(at, 1, 24 * 16, seed=8))  # about 16 an hour
    for call in sorted(calls, key=lambda c: c.started_at or at):
        with engine.begin() as conn:
            insert_calls(conn, [call])
    with engine.begin() as conn:
        save_scenario(conn, "gone", definition={}, replications=1, seed=9, summary={},
                      records=generated_calls(at, 1, 100, seed=9, scenario="gone", source="sim"), now=at)
        delete_scenario(conn, "gone")
    h = kpi_buckets_queue_hour.c
    with engine.connect() as conn:
        by_hour = dict(conn.execute(sa.select(h.bucket_at, sa.func.sum(h.offered)).group_by(h.bucket_at)).all())
        scenarios = set(conn.execute(sa.select(h.scenario).distinct()).scalars())
    expected: dict[int, int] = {}
    for call in calls:
        if call.direction is Direction.INBOUND and call.outcome.offered:
            assert call.started_at is not None
            ms = int(call.started_at.timestamp() * 1000)
            expected[ms - ms % 3_600_000] = expected.get(ms - ms % 3_600_000, 0) + 1
    assert {k: int(v) for k, v in by_hour.items() if v} == expected and scenarios == {None}
    kept = aggregate_tables(engine)
    with engine.begin() as conn:
        rebuild(conn)
    assert aggregate_tables(engine) == kept


def test_histogram_bins_match_the_reference(engine: sa.Engine) -> None:
    """The bins SQL stores (answered: upper edge; abandoned: lower edge) are bin_edge's on every engine,
    across the 1 s / 10 s / 60 s / 3600 s steps, a NULL wait included."""
    waits = [None, 0.0, 0.001, 19.999, 20.0, 20.001, 119.5, 120.0, 120.001, 125.0, 599.999, 600.0, 600.5,
             3599.0, 3600.0, 3600.001, 7300.25]
    at = dt.datetime(2026, 5, 4, 8, tzinfo=dt.UTC)
    records = []
    for i, wait in enumerate(waits):
        for outcome in (Outcome.ANSWERED, Outcome.ABANDONED):
            queued = None if wait is None else at - dt.timedelta(seconds=wait)
            records.append(Call(source="b", source_call_id=f"{outcome.value}{i}", direction=Direction.INBOUND,
                                outcome=outcome, queue_entered_at=queued, ended_at=at,
                                answered_at=at if outcome.answered and queued else None))
    with engine.begin() as conn:
        insert_calls(conn, records)
        stored: dict[tuple[int, int], int] = {}
        for r in conn.execute(sa.select(kpi_wait_bins)):  # calls start in two buckets: add them up
            stored[(r.kind, r.bin)] = stored.get((r.kind, r.bin), 0) + r.n
    expected: dict[tuple[int, int], int] = {}
    for b in BINNED:
        for wait in waits:
            key = (b.kind, bin_edge(wait, b.rounding))
            expected[key] = expected.get(key, 0) + 1
    assert stored == expected


def test_cli_rebuilds_the_aggregates(engine: sa.Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`callops db rebuild-aggregates` refills emptied tables and says how many rows each holds."""
    with engine.begin() as conn:
        insert_calls(conn, generated_calls(dt.datetime(2026, 5, 1, tzinfo=dt.UTC), 1, 200, seed=4))
    before = aggregate_tables(engine)
    with engine.begin() as conn:
        for tables in KPI_LEVELS:
            for t in tables:
                conn.execute(t.delete())
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    result = CliRunner().invoke(cli, ["db", "rebuild-aggregates"], catch_exceptions=False)
    assert result.exit_code == 0
    assert f"kpi_buckets: {len(before['kpi_buckets']):,} rows" in result.output
    assert aggregate_tables(engine) == before
