"""KPI measures evaluated by a database: SQLite or PostgreSQL through SQLAlchemy, DuckDB over Parquet.

The measure definitions of :mod:`callops.metrics` are translated once into a SQLAlchemy Core
``SELECT``; the statement is compiled per dialect, so the same definition runs on SQLite and
PostgreSQL (executed by SQLAlchemy) and on DuckDB (compiled with the PostgreSQL dialect and literal
values, run over Parquet files), and on any engine with a SQLAlchemy dialect (Trino, Spark SQL).

Real calls and saved simulation scenarios share the tables: every query takes ``scenario`` (None: real
records only, ``scenario IS NULL``; a name: only that scenario's records) and filters through
:func:`callops.store.records.of_scenario`, so the two never mix.

Local time without zone support: each row's local epoch is ``utc_ms + CASE WHEN utc_ms < t1 THEN o0
... END`` over the zone's offsets in the range, and a bucket is ``local_ms - local_ms % width``:
integer arithmetic every engine evaluates identically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from callops.errors import InvalidInput, NotFound
from callops.metrics import (
    AGENT_KPIS,
    STATE_DIMENSIONS,
    BucketMeasures,
    Grain,
    KpiOptions,
    KpiRequest,
    Measure,
    NotNull,
    OneOf,
    ReportRow,
    Table,
    is_people_kpi,
    is_roster_kpi,
    is_ticket_kpi,
    local_range_ms,
    measure,
    measures_for,
    report_rows,
    sample,
    samples_for,
    shared_conditions,
    shift_back,
    zone,
)
from callops.metrics.preaggregates import plan_reads
from callops.store.contact_gaps import GAP_HORIZON_MS, gap_window
from callops.store.desk_kpi import contact_base, ticket_base
from callops.store.kpi_aggregates import aggregate_reads
from callops.store.schema import agent_intervals, agents, calls, scenarios, tickets
from callops.store.sql_terms import aggregate_sql, bucket_sql, local_ms_sql, of_scenario, predicate_sql, to_buckets
from callops.store.types import from_millis

__all__ = ["ParquetSource", "Source", "ReadModel", "kpi_report", "read_span_ms", "stored_span", "query_buckets",
           "call_buckets_sql", "agent_report",
           "away_by_reason", "AGENT_REPORT_KPIS", "state_buckets_sql"]


@dataclass(frozen=True, slots=True)
class ParquetSource:
    """A folder written by ``callops export parquet``: calls.parquet, agent_intervals.parquet, agents.parquet."""

    folder: Path
    threads: int | None = None  # DuckDB's default: every core
    memory_limit: str | None = None  # e.g. "2GB"

    def sql(self, statement: sa.Select[Any]) -> str:
        """The statement as DuckDB runs it: PostgreSQL SQL with values inlined."""
        return str(statement.compile(dialect=_DUCKDB_AS_PG, compile_kwargs={"literal_binds": True}))

    def _connect(self) -> Any:
        import duckdb

        con = duckdb.connect()
        if self.threads is not None:
            con.execute(f"SET threads = {int(self.threads)}")
        if self.memory_limit is not None:
            con.execute(f"SET memory_limit = '{_quote(self.memory_limit)}'")
        for table in ("calls", "agent_intervals", "agents"):
            path = self.folder / f"{table}.parquet"
            if not path.is_file():
                con.close()
                raise InvalidInput(f"{path} is missing; write it with `callops export parquet`", field="parquet")
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{_quote(str(path))}')")
        return con

    def execute(self, statement: sa.Select[Any]) -> list[Sequence[Any]]:
        """Rows of ``statement`` as tuples."""
        with self._connect() as con:
            return [tuple(r) for r in con.execute(self.sql(statement)).fetchall()]

    def to_arrow(self, statement: sa.Select[Any]) -> Any:
        """The result of ``statement`` as a ``pyarrow.Table`` (columnar, no Python object per row)."""
        with self._connect() as con:
            return con.sql(self.sql(statement)).to_arrow_table()


Source = sa.Engine | sa.Connection | ParquetSource
ReadModel = Literal["aggregates", "calls"]  # where call measures are read: the pre-aggregates, or only calls
# DuckDB speaks PostgreSQL's SQL; "named" keeps a literal % from being escaped as %%.
_DUCKDB_AS_PG = postgresql.dialect(paramstyle="named")  # type: ignore[no-untyped-call]  # untyped in SQLAlchemy


def _quote(text: str) -> str:
    return text.replace("'", "''")


# --- translation of measure definitions into SQL ---------------------------------------------------


def _measures_select(base: sa.Subquery, time_col: str, wanted: Sequence[Measure], dims: Sequence[str], *,
                     lo_ms: int, hi_ms: int, grain: Grain, tz: str, options: KpiOptions) -> sa.Select[Any]:
    """Aggregate ``wanted`` measures over the rows of ``base`` before ``hi_ms``, by local bucket and ``dims``."""
    b = base.c
    bucket = bucket_sql(local_ms_sql(b[time_col], tz, lo_ms, hi_ms), grain.bucket_ms).label("bucket")
    dim_cols = [b[d] for d in dims]
    return (sa.select(bucket, *dim_cols, *(aggregate_sql(m, b, options) for m in wanted))
            .where(b[time_col] < sa.literal(hi_ms, sa.BigInteger))
            .group_by(bucket, *dim_cols))


def _check_scenario(source: Source, scenario: str | None) -> None:
    """Refuse a scenario name that was never saved (a Parquet export has no scenarios table: there the
    name must occur in its calls or agent intervals)."""
    if scenario is None:
        return
    if isinstance(source, ParquetSource):
        found = sa.or_(sa.exists().where(calls.c.scenario == scenario),
                       sa.exists().where(agent_intervals.c.scenario == scenario))
    else:
        found = sa.exists().where(scenarios.c.name == scenario)
    if not _execute(source, sa.select(found))[0][0]:
        raise NotFound(f"no scenario {scenario!r}: save one with `callops simulate ... --save {scenario}`; "
                       "`callops scenarios list` shows the saved ones")


def _of_agents(column: Any, only: frozenset[str] | None) -> Any:
    """True for every row when ``only`` is None; else only rows of those agents (none for an empty set)."""
    if only is None:
        return sa.true()
    return column.in_(sorted(only)) if only else sa.false()


_GAP_PARTITION = frozenset({"caller_number", "direction"})  # the next contact is looked for within these
_STORED_COLUMNS = frozenset(calls.c.keys())


def _required(wanted: Sequence[Measure], options: KpiOptions, columns: Container[str]) -> list[Any]:
    """The conditions on ``columns`` (a value required, or one of some values) that every wanted measure requires:
    a row failing one counts in no measure."""
    kept = [p for p in shared_conditions([m.when for m in wanted])
            if isinstance(p, NotNull | OneOf) and p.column in columns]
    return [predicate_sql(p, calls.c, options) for p in kept]


def _whole_partitions(wanted: Sequence[Measure], options: KpiOptions) -> list[Any]:
    """:func:`_required` on the next-contact window's partition columns (FCR: an inbound call with a caller id):
    dropping the rows failing them drops whole partitions, so the other rows' next contact is unchanged and the
    window sorts only the rows that can count."""
    return _required(wanted, options, _GAP_PARTITION)


def _shared_filter(wanted: Sequence[Measure], options: KpiOptions) -> list[Any]:
    """:func:`_required` on every stored column: without a window over the rows, any row failing one can be left
    out, not only whole partitions."""
    return _required(wanted, options, _STORED_COLUMNS)


def call_buckets_sql(names: Sequence[str], *, lo_ms: int, hi_ms: int, grain: Grain, tz: str,
                     dims: Sequence[str], options: KpiOptions, scenario: str | None = None,
                     only_agents: frozenset[str] | None = None, kept_gaps: bool = False) -> sa.Select[Any]:
    """SELECT bucket, dims..., measures... FROM calls for ``[lo_ms, hi_ms)``: real calls, or ``scenario``'s;
    with ``only_agents``, only their calls.

    FCR's gap to the caller's next contact is a window function over the calls of the range and the FCR window
    after it (the definition; any engine runs it), or, with ``kept_gaps``, the gap kept with each call
    (:mod:`callops.store.contact_gaps`, the same values: no sort of the range by caller) where it answers: an FCR
    window up to its horizon and every agent's calls (a team lead's FCR looks for the next contact among their
    agents' calls only)."""
    c = calls.c
    started = sa.type_coerce(c.started_at, sa.BigInteger)
    wanted = [measure(n) for n in names if measure(n).table is Table.CALLS]
    window_ms = int(options.param("fcr_window_s") * 1000)
    needs_gap = any(m.name == "fcr_no_repeat" for m in wanted)
    windowed = needs_gap and not (kept_gaps and only_agents is None and window_ms <= GAP_HORIZON_MS)
    columns: list[Any] = [started.label("started_ms"), c.direction, c.outcome, c.wait_s, c.talk_s, c.hold_s,
                          c.acw_s, c.caller_number, c.issue_resolved, c.csat, c.disposition,
                          *(c[d] for d in dims if d != "team")]
    source: Any = calls
    if "team" in dims:
        source = calls.outerjoin(agents, agents.c.agent_id == c.agent)
        columns.append(agents.c.team)
    narrowing: list[Any] = []
    if windowed:
        columns.append((gap_window(started) / sa.literal(1000.0, sa.Float)).label("next_contact_gap_s"))
        narrowing = _whole_partitions(wanted, options)
    elif needs_gap:
        gap = sa.type_coerce(c.next_contact_gap_ms, sa.BigInteger)
        columns.append((gap / sa.literal(1000.0, sa.Float)).label("next_contact_gap_s"))
        narrowing = _shared_filter(wanted, options)
    else:
        columns.append(sa.null().label("next_contact_gap_s"))
    upper = hi_ms + window_ms if windowed else hi_ms
    inner = (sa.select(*columns).select_from(source)
             .where(of_scenario(c.scenario, scenario), started >= sa.literal(lo_ms, sa.BigInteger),
                    started < sa.literal(upper, sa.BigInteger), _of_agents(c.agent, only_agents), *narrowing)
             .subquery("base"))
    return _measures_select(inner, "started_ms", wanted, dims, lo_ms=lo_ms, hi_ms=hi_ms, grain=grain, tz=tz,
                            options=options)


def state_buckets_sql(names: Sequence[str], *, lo_ms: int, hi_ms: int, grain: Grain, tz: str,
                      dims: Sequence[str], options: KpiOptions, scenario: str | None = None,
                      only_agents: frozenset[str] | None = None) -> sa.Select[Any]:
    """SELECT bucket, dims..., measures... FROM agent_intervals (real, or ``scenario``'s; with ``only_agents``, only
    theirs); an interval counts in its start's bucket."""
    a = agent_intervals.c
    start = sa.type_coerce(a.start_at, sa.BigInteger)
    end = sa.type_coerce(a.end_at, sa.BigInteger)
    columns: list[Any] = [start.label("start_ms"), a.state, a.reason, a.agent,
                          ((end - start) / sa.literal(1000.0, sa.Float)).label("duration_s")]
    source: Any = agent_intervals
    if "team" in dims:
        source = agent_intervals.outerjoin(agents, agents.c.agent_id == a.agent)
        columns.append(agents.c.team)
    inner = (sa.select(*columns).select_from(source)
             .where(of_scenario(a.scenario, scenario), start >= sa.literal(lo_ms, sa.BigInteger),
                    start < sa.literal(hi_ms, sa.BigInteger), _of_agents(a.agent, only_agents))
             .subquery("base"))
    wanted = [measure(n) for n in names if measure(n).table is Table.AGENT_INTERVALS]
    return _measures_select(inner, "start_ms", wanted, dims, lo_ms=lo_ms, hi_ms=hi_ms, grain=grain, tz=tz,
                            options=options)


def _samples_select(base: sa.Subquery, time_col: str, names: Sequence[str], dims: Sequence[str], *, lo_ms: int,
                    hi_ms: int, grain: Grain, tz: str, options: KpiOptions) -> sa.Select[Any]:
    """SELECT bucket, dims..., one value per sample (NULL where its condition fails) for each row of ``base``
    before ``hi_ms`` where some sample's condition holds: the values medians are computed from."""
    b = base.c
    bucket = bucket_sql(local_ms_sql(b[time_col], tz, lo_ms, hi_ms), grain.bucket_ms).label("bucket")
    wanted = [sample(n) for n in names]
    conds = [predicate_sql(s.when, b, options) for s in wanted]
    values = [sa.case((cond, b[s.value])).label(s.name) for s, cond in zip(wanted, conds, strict=True)]
    return (sa.select(bucket, *(b[d] for d in dims), *values)
            .where(b[time_col] < sa.literal(hi_ms, sa.BigInteger), sa.or_(*conds)))


def _sample_buckets(rows: Sequence[Sequence[Any]], n_dims: int, names: Sequence[str]) -> list[BucketMeasures]:
    grouped: dict[tuple[int, tuple[Any, ...]], dict[str, list[float]]] = {}
    for row in rows:
        dims = tuple(v if v is None or isinstance(v, str) else int(v) for v in row[1:1 + n_dims])
        values = grouped.setdefault((int(row[0]), dims), {n: [] for n in names})
        for name, value in zip(names, row[1 + n_dims:], strict=True):
            if value is not None:
                values[name].append(float(value))
    return [BucketMeasures(bucket, dims, {}, {n: tuple(v) for n, v in values.items()})
            for (bucket, dims), values in grouped.items()]


def _ticket_buckets(source: Source, names: Sequence[str], samples: Sequence[str], *, lo_ms: int, hi_ms: int,
                    grain: Grain, tz: str, dims: Sequence[str], options: KpiOptions,
                    only_agents: frozenset[str] | None) -> list[BucketMeasures]:
    """Ticket measures and samples per bucket of the local day (or finer) each ticket was opened."""
    if isinstance(source, ParquetSource):
        raise InvalidInput("ticket KPIs are read from the store database, not from Parquet: use --engine db",
                           field="engine")
    window = int(options.param("fcr_window_s") * 1000) if "fcr_ticket_no_repeat" in names else None
    base = ticket_base(lo_ms=lo_ms, upper_ms=hi_ms, dims=dims, only_agents=only_agents, repeat_window_ms=window)
    out: list[BucketMeasures] = []
    if names:
        sql = _measures_select(base, "opened_ms", [measure(n) for n in names], dims, lo_ms=lo_ms, hi_ms=hi_ms,
                               grain=grain, tz=tz, options=options)
        out += to_buckets(_execute(source, sql), len(dims), names)
    if samples:
        sql = _samples_select(base, "opened_ms", samples, dims, lo_ms=lo_ms, hi_ms=hi_ms, grain=grain, tz=tz,
                              options=options)
        out += _sample_buckets(_execute(source, sql), len(dims), samples)
    return out


def _contact_buckets(source: Source, names: Sequence[str], *, lo_ms: int, hi_ms: int, grain: Grain, tz: str,
                     dims: Sequence[str], options: KpiOptions,
                     only_agents: frozenset[str] | None) -> list[BucketMeasures]:
    """Contact-form measures (after-call work from the form) per bucket of the local time each was saved."""
    if isinstance(source, ParquetSource):
        raise InvalidInput("desk KPIs are read from the store database, not from Parquet: use --engine db",
                           field="engine")
    base = contact_base(lo_ms=lo_ms, upper_ms=hi_ms, dims=dims, only_agents=only_agents)
    sql = _measures_select(base, "saved_ms", [measure(n) for n in names], dims, lo_ms=lo_ms, hi_ms=hi_ms,
                           grain=grain, tz=tz, options=options)
    return to_buckets(_execute(source, sql), len(dims), names)


def _roster_buckets(source: Source, names: Sequence[str], *, lo_ms: int, hi_ms: int, grain: Grain, tz: str,
                    dims: Sequence[str], only_agents: frozenset[str] | None) -> list[BucketMeasures]:
    """Adherence measures (issue 11): published rosters against agent states, counted by
    :mod:`callops.store.roster_kpi`; the store database only (a Parquet export has no rosters)."""
    from callops.store.roster_kpi import roster_buckets

    if isinstance(source, ParquetSource):
        raise InvalidInput("adherence and conformance are read from the store database (rosters are not exported "
                           "to Parquet): use --engine db", field="engine")
    if isinstance(source, sa.Engine):
        with source.connect() as conn:
            return roster_buckets(conn, names, lo_ms=lo_ms, hi_ms=hi_ms, grain=grain, tz=tz, dims=dims,
                                  only_agents=only_agents)
    return roster_buckets(source, names, lo_ms=lo_ms, hi_ms=hi_ms, grain=grain, tz=tz, dims=dims,
                          only_agents=only_agents)


def _execute(source: Source, statement: sa.Select[Any]) -> list[Sequence[Any]]:
    if isinstance(source, ParquetSource):
        return source.execute(statement)
    if isinstance(source, sa.Engine):
        with source.connect() as conn:
            return [tuple(r) for r in conn.execute(statement)]
    return [tuple(r) for r in source.execute(statement)]


def query_buckets(source: Source, names: Sequence[str], *, start: dt.date, end: dt.date, grain: Grain, tz: str,
                  dims: Sequence[str], options: KpiOptions, scenario: str | None = None,
                  only_agents: frozenset[str] | None = None, samples: Sequence[str] = (),
                  read_model: ReadModel = "aggregates") -> list[BucketMeasures]:
    """Measures ``names`` (and the values of ``samples``, for medians) per engine bucket and dimension values,
    from calls, (where the dimensions allow) agent state intervals and tickets, for the inclusive local dates
    ``start``..``end``; real records, or ``scenario``'s.

    With ``read_model="aggregates"`` (the default) call measures come from the KPI pre-aggregates
    (:mod:`callops.store.kpi_aggregates`) wherever they answer exactly, and from ``calls`` otherwise: a
    Parquet source, a zone whose offsets are not on 15-minute boundaries, ``fcr_no_repeat`` (from the gap kept
    with each call, :mod:`callops.store.contact_gaps`), a threshold off the histogram's bin edges.
    ``read_model="calls"`` reads only the calls table, FCR's gaps by the window function (the reference)."""
    lo_ms, hi_ms = local_range_ms(start, end, tz)
    call_names = [n for n in names if measure(n).table is Table.CALLS]
    state_names = [n for n in names if measure(n).table is Table.AGENT_INTERVALS]
    ticket_names = [n for n in names if measure(n).table is Table.TICKETS]
    ticket_samples = [n for n in samples if sample(n).table is Table.TICKETS]
    contact_names = [n for n in names if measure(n).table is Table.DESK_CONTACTS]
    out: list[BucketMeasures] = []
    if contact_names:
        out += _contact_buckets(source, contact_names, lo_ms=lo_ms, hi_ms=hi_ms, grain=grain, tz=tz, dims=dims,
                                options=options, only_agents=only_agents)
    roster_names = [n for n in names if measure(n).table is Table.ROSTER]
    if roster_names:
        out += _roster_buckets(source, roster_names, lo_ms=lo_ms, hi_ms=hi_ms, grain=grain, tz=tz, dims=dims,
                               only_agents=only_agents)
    if ticket_names or ticket_samples:
        out += _ticket_buckets(source, ticket_names, ticket_samples, lo_ms=lo_ms, hi_ms=hi_ms, grain=grain, tz=tz,
                               dims=dims, options=options, only_agents=only_agents)
    if call_names and read_model == "aggregates" and not isinstance(source, ParquetSource):
        plan = plan_reads(call_names, options)
        reads = aggregate_reads(plan, start=start, end=end, grain=grain, tz=tz, dims=dims, options=options,
                                scenario=scenario, only_agents=only_agents)
        if reads:
            for statement, read_names in reads:
                out += to_buckets(_execute(source, statement), len(dims), read_names)
            call_names = list(plan.calls)
    if call_names:
        sql = call_buckets_sql(call_names, lo_ms=lo_ms, hi_ms=hi_ms, grain=grain, tz=tz, dims=dims, options=options,
                               scenario=scenario, only_agents=only_agents,
                               kept_gaps=read_model == "aggregates" and not isinstance(source, ParquetSource))
        out += to_buckets(_execute(source, sql), len(dims), call_names)
    if state_names and all(d in STATE_DIMENSIONS for d in dims):
        sql = state_buckets_sql(state_names, lo_ms=lo_ms, hi_ms=hi_ms, grain=grain, tz=tz, dims=dims,
                                options=options, scenario=scenario, only_agents=only_agents)
        out += to_buckets(_execute(source, sql), len(dims), state_names)
    return out


def _has_agent_states(source: Source, lo_ms: int, hi_ms: int, scenario: str | None) -> bool:
    a = agent_intervals.c
    start = sa.type_coerce(a.start_at, sa.BigInteger)
    probe = (sa.select(sa.func.count()).select_from(agent_intervals)
             .where(of_scenario(a.scenario, scenario), start >= sa.literal(lo_ms, sa.BigInteger),
                    start < sa.literal(hi_ms, sa.BigInteger)))
    return bool(_execute(source, probe)[0][0])


def kpi_report(source: Source, request: KpiRequest, *, read_model: ReadModel = "aggregates") -> list[ReportRow]:
    """The KPI report: one row per period and dimension values, optionally against the previous period.
    Raises NotFound for a scenario that was never saved."""
    _check_scenario(source, request.scenario)
    if any(is_people_kpi(k) for k in request.kpis):  # people records, per calendar period (KpiRequest checks)
        if isinstance(source, ParquetSource):
            raise InvalidInput("people KPIs are read from the store database, not from Parquet: use --engine db",
                               field="engine")
        from callops.store.people_kpi import people_kpi_rows

        return people_kpi_rows(source, request)
    keys = list(request.kpis)
    lo_ms, hi_ms = local_range_ms(request.start, request.end, request.tz)
    if (request.agent_states and all(d in STATE_DIMENSIONS for d in request.dims)
            and not all(is_ticket_kpi(k) or is_roster_kpi(k) for k in keys)  # tickets-only, rosters-only stay so
            and _has_agent_states(source, lo_ms, hi_ms, request.scenario)):
        keys += [k for k in AGENT_KPIS if k not in keys]
    names = measures_for(keys)
    samples = samples_for(keys)
    grain, tz, dims, options, scenario = request.grain, request.tz, request.dims, request.options, request.scenario
    current = query_buckets(source, names, start=request.start, end=request.end, grain=grain, tz=tz, dims=dims,
                            options=options, scenario=scenario, only_agents=request.agents, samples=samples,
                            read_model=read_model)
    previous = None
    prev_start = None
    if request.compare_previous:
        prev_start, prev_end = _previous_days(request)
        previous = query_buckets(source, names, start=prev_start, end=prev_end, grain=grain, tz=tz, dims=dims,
                                 options=options, scenario=scenario, only_agents=request.agents, samples=samples,
                                 read_model=read_model)
    return report_rows(current, grain=request.grain, dim_names=request.dims, kpi_keys=keys, options=request.options,
                       range_start=request.start, previous=previous, previous_range_start=prev_start,
                       span_days=request.span_days)


def _previous_days(request: KpiRequest) -> tuple[dt.date, dt.date]:
    """The first and last day of the period ``compare_previous`` compares ``request``'s with."""
    span = request.span_days
    return (shift_back(request.start, request.grain, span_days=span),
            shift_back(request.end, request.grain, span_days=span))


def read_span_ms(request: KpiRequest) -> tuple[int, int]:
    """The epoch-ms range of calls and agent states ``kpi_report(request)`` reads: its local days (and the previous
    period's with ``compare_previous``), and for FCR the window after them where next contacts are looked for."""
    lo_ms, hi_ms = local_range_ms(request.start, request.end, request.tz)
    if request.compare_previous:
        prev_lo, prev_hi = local_range_ms(*_previous_days(request), request.tz)
        lo_ms, hi_ms = min(lo_ms, prev_lo), max(hi_ms, prev_hi)
    if "fcr_no_repeat" in measures_for(list(request.kpis)):
        hi_ms += int(request.options.param("fcr_window_s") * 1000)
    return lo_ms, hi_ms


def stored_span(source: Source, *, tz: str, kpis: Sequence[str],
                scenario: str | None = None) -> tuple[dt.date, dt.date] | None:
    """The first and last local day in ``tz`` with records the KPIs ``kpis`` read (calls, or tickets for ticket
    KPIs; both when mixed); None when there are none."""
    if kpis and all(is_people_kpi(k) for k in kpis) and not isinstance(source, ParquetSource):
        from callops.store.people_kpi import people_span

        return people_span(source, today=dt.datetime.now(zone(tz)).date())
    bounds: list[int] = []
    queries: list[Any] = []  # SELECT min, max per table
    if any(not is_ticket_kpi(k) for k in kpis):
        started = sa.type_coerce(calls.c.started_at, sa.BigInteger)
        queries.append(sa.select(sa.func.min(started), sa.func.max(started)).where(
            of_scenario(calls.c.scenario, scenario)))
    if any(is_ticket_kpi(k) for k in kpis):
        if isinstance(source, ParquetSource):
            raise InvalidInput("ticket KPIs are read from the store database, not from Parquet: use --engine db",
                               field="engine")
        opened = sa.type_coerce(tickets.c.opened_at, sa.BigInteger)
        queries.append(sa.select(sa.func.min(opened), sa.func.max(opened)))
    for query in queries:
        bounds += [int(v) for v in _execute(source, query)[0] if v is not None]
    if not bounds:
        return None
    first, last = min(bounds), max(bounds)
    def day(ms: int) -> dt.date:
        return from_millis(ms).astimezone(zone(tz)).date()

    return day(first), day(last)


AGENT_REPORT_KPIS: tuple[str, ...] = (
    "answered", "aht_s", "avg_talk_s", "avg_hold_s", "avg_acw_s", "transfer_rate", "fcr", "fcr_flag", "csat",
    "occupancy", "utilisation", "away_s", "dials", "connects", "successful_contacts", "conversions",
    "refusal_rate", "outbound_talk_s", "work_hours", "efficiency")


def away_by_reason(source: Source, *, start: dt.date, end: dt.date, tz: str,
                   scenario: str | None = None) -> dict[str, dict[str, float]]:
    """Seconds in the away state per agent and reason code (``none`` when no code was given); real records,
    or ``scenario``'s (NotFound when it was never saved)."""
    _check_scenario(source, scenario)
    lo_ms, hi_ms = local_range_ms(start, end, tz)
    a = agent_intervals.c
    begun = sa.type_coerce(a.start_at, sa.BigInteger)
    ended = sa.type_coerce(a.end_at, sa.BigInteger)
    query = (sa.select(a.agent, a.reason, sa.func.sum((ended - begun) / sa.literal(1000.0, sa.Float)))
             .where(of_scenario(a.scenario, scenario), a.state == "away", begun >= sa.literal(lo_ms, sa.BigInteger),
                    begun < sa.literal(hi_ms, sa.BigInteger))
             .group_by(a.agent, a.reason))
    out: dict[str, dict[str, float]] = {}
    for agent, reason, seconds in _execute(source, query):
        out.setdefault(str(agent), {})[str(reason or "none")] = float(seconds)
    return out


def agent_report(source: Source, *, start: dt.date, end: dt.date, tz: str, options: KpiOptions | None = None,
                 scenario: str | None = None, only_agents: frozenset[str] | None = None,
                 read_model: ReadModel = "aggregates") -> list[dict[str, object]]:
    """The per-agent table of seed 000: inbound handling, agent states, outbound results, away by reason;
    real records, or ``scenario``'s; with ``only_agents``, only those agents' rows."""
    request = KpiRequest(start=start, end=end, grain=Grain.TOTAL, tz=tz, dims=("agent",), kpis=AGENT_REPORT_KPIS,
                         options=options or KpiOptions(), agent_states=False, scenario=scenario, agents=only_agents)
    away = away_by_reason(source, start=start, end=end, tz=tz, scenario=scenario)
    reasons = sorted({r for by_reason in away.values() for r in by_reason})
    rows = []
    for row in kpi_report(source, request, read_model=read_model):
        agent = dict(row.dims)["agent"]
        if agent is None:
            continue
        out: dict[str, object] = {"agent": agent, **row.kpis}
        out.update({f"away_{r}_s": away.get(str(agent), {}).get(r, 0.0) for r in reasons})
        rows.append(out)
    return rows
