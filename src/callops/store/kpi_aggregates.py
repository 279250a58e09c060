"""KPI pre-aggregates: the read model KPI reports use, kept in the same transaction as every write of calls.

Per UTC bucket, scenario and dimension values, the tables of :data:`~callops.store.schema.KPI_LEVELS` hold
every stored measure (:data:`callops.metrics.preaggregates.STORED`) and wait-time histograms
(:data:`~callops.metrics.preaggregates.BINNED`), at four levels: 15 minutes by queue, call type, priority
and source with the agent and without, an hour by queue alone, and a UTC day by queue, call type, priority and
source.

Upkeep recomputes whole buckets: a write of calls names the (scenario, 15-minute bucket) pairs it touched
(:func:`refresh`), and each run of touched buckets (widened to whole hours and days for those levels) is deleted
and aggregated again with one ``INSERT ... SELECT`` per table, the finest level from ``calls`` and each coarser
one from a finer one holding its dimensions, so inserts, re-imports and deletes all leave exactly what a rebuild
leaves. :func:`rebuild` (``callops db rebuild-aggregates``) recomputes everything.

Reads (:func:`aggregate_reads`) take weeks to years and totals (no agent) from the day level's whole UTC days
plus the ragged edges from a finer level (:mod:`callops.store.kpi_day_reads`) where that is exact; otherwise
the coarsest level that holds the report's dimensions, whose bucket divides the grain's and whose buckets fit
the zone over the range: the hour level for hourly to yearly grains in total or by queue in whole-hour zones,
the 15-minute levels for every grain in any zone whose offsets and transitions fall on 15-minute boundaries;
:func:`callops.store.kpi_query.query_buckets` reads the calls table for the rest (other zones, ``fcr``,
thresholds off the histogram's bin edges).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from callops.metrics import Grain, KpiOptions, local_range_ms, measure, offset_segments
from callops.metrics.preaggregates import BIN_STEPS, BINNED, BUCKET_MS, PRESETS, STORED, Binned, ReadPlan, zone_fits
from callops.metrics.zones import DAY_MS
from callops.store.data_generation import days_of, raise_generation
from callops.store.kpi_day_reads import binned_sums, day_reads
from callops.store.schema import KPI_LEVELS, agents, calls, kpi_bucket_ms
from callops.store.sql_terms import aggregate_sql, bucket_sql, local_ms_sql, of_scenario, predicate_sql

__all__ = ["TouchedBuckets", "refresh", "forget_scenario", "rebuild", "rebuild_tables", "fill_from_finer",
           "aggregate_reads", "fits_zone", "read_level"]

_Scope = tuple[str | None, int, int] | None  # (scenario, lo_ms, hi_ms) of the buckets to fill; None: all
_Levels = Sequence[tuple[sa.Table, sa.Table]]  # (buckets, bins) tables, coarsest first
_RUN_GAP = 96  # touched buckets at most a day apart are recomputed as one range
_OPTIONS = KpiOptions()  # stored measures read no option
_COLUMNS = (*STORED, *PRESETS)  # the measure columns of the bucket tables


class TouchedBuckets:
    """The (scenario, 15-minute UTC bucket) pairs a write of calls touched."""

    def __init__(self) -> None:
        self.by_scenario: dict[str | None, set[int]] = {}

    def add(self, scenario: str | None, started_ms: int) -> None:
        self.by_scenario.setdefault(scenario, set()).add(started_ms - started_ms % BUCKET_MS)

    def add_rows(self, rows: Iterable[Sequence[Any]], scenario_at: int, started_at: int) -> None:
        """Every row's bucket, given the positions of its scenario and start (epoch ms)."""
        for row in rows:
            self.add(row[scenario_at], row[started_at])

    def runs(self) -> list[tuple[str | None, int, int]]:
        """``(scenario, lo_ms, hi_ms)`` ranges covering every touched bucket, nearby ones merged."""
        out: list[tuple[str | None, int, int]] = []
        for scenario, buckets in self.by_scenario.items():
            ordered = sorted(buckets)
            lo = prev = ordered[0]
            for b in ordered[1:]:
                if b - prev > _RUN_GAP * BUCKET_MS:
                    out.append((scenario, lo, prev + BUCKET_MS))
                    lo = b
                prev = b
            out.append((scenario, lo, prev + BUCKET_MS))
        return out


def _started() -> Any:
    return sa.type_coerce(calls.c.started_at, sa.BigInteger)


def _dim_names(table: sa.Table) -> list[str]:
    return [c for c in ("queue", "call_type", "priority", "source", "agent") if c in table.c]


def _portable(x: Any, rounding: str) -> Any:
    """ceil or floor of ``x`` on every engine: CAST rounds on PostgreSQL and truncates on SQLite, and the
    correction by one works for both."""
    r = sa.cast(x, sa.BigInteger)
    if rounding == "ceil":
        return r + sa.case((r < x, 1), else_=0)
    return r - sa.case((r > x, 1), else_=0)


def _bin_sql(value: Any, b: Binned) -> Any:
    """The SQL of :func:`callops.metrics.preaggregates.bin_edge`."""
    v = sa.func.coalesce(value, 0.0)
    whens: list[tuple[Any, Any]] = []
    for limit, step in BIN_STEPS:
        scaled = _portable(v / sa.literal(float(step), sa.Float), b.rounding) * step
        if limit == float("inf"):
            return sa.case(*whens, else_=scaled)
        edge = sa.literal(limit, sa.Float)
        whens.append(((v <= edge) if b.rounding == "ceil" else (v < edge), scaled))
    raise AssertionError("the last bin is unbounded")


def _widened(scope: _Scope, width_ms: int) -> _Scope:
    """``scope`` grown to whole buckets ``width_ms`` wide."""
    if scope is None:
        return None
    scenario, lo, hi = scope
    return scenario, lo - lo % width_ms, hi + (-hi) % width_ms


def _within(table: sa.Table, column: Any, scope: _Scope) -> list[Any]:
    """The rows of ``table`` in ``scope`` (everything when it is None), ``column`` being their start."""
    if scope is None:
        return []
    scenario, lo, hi = scope
    return [of_scenario(table.c.scenario, scenario), column >= sa.literal(lo, sa.BigInteger),
            column < sa.literal(hi, sa.BigInteger)]


def _fill(conn: sa.Connection, scope: _Scope, levels: _Levels) -> None:
    """Aggregate the calls in ``scope`` into the finest of ``levels`` from ``calls``, then each coarser level
    from the next finer one (sums of whole microseconds, counts and maxima combine exactly), over whole buckets
    of its width."""
    c = calls.c
    (fine, fine_bins) = levels[-1]
    where = _within(calls, _started(), _widened(scope, kpi_bucket_ms(fine)))
    bucket = bucket_sql(_started(), kpi_bucket_ms(fine)).label("bucket_at")
    groups = [bucket, c.scenario, *(c[d] for d in _dim_names(fine))]
    select = (sa.select(*groups, *(aggregate_sql(m, c, _OPTIONS) for m in _COLUMNS)).where(*where)
              .group_by(*groups))
    conn.execute(fine.insert().from_select([*(g.name for g in groups), *(m.name for m in _COLUMNS)], select))
    for b in BINNED:
        edge = _bin_sql(c[b.column], b).label("bin")
        select = (sa.select(*groups, sa.literal(b.kind, sa.SmallInteger).label("kind"), edge,
                            sa.func.count().label("n"))
                  .where(*where, predicate_sql(b.base, c, _OPTIONS)).group_by(*groups, edge))
        conn.execute(fine_bins.insert().from_select([*(g.name for g in groups), "kind", "bin", "n"], select))
    for n in reversed(range(len(levels) - 1)):
        fill_from_finer(conn, levels[n], _finer_source(levels, n), scope)


def _finer_source(levels: _Levels, n: int) -> tuple[sa.Table, sa.Table]:
    """The level ``levels[n]`` is filled from: the next one after it holding its dimensions whose bucket divides
    its own (the day level by call type comes from the 15-minute queue level, not from the hour by queue)."""
    buckets = levels[n][0]
    for finer in levels[n + 1:]:
        if (set(_dim_names(buckets)) <= set(_dim_names(finer[0]))
                and kpi_bucket_ms(buckets) % kpi_bucket_ms(finer[0]) == 0):
            return finer
    raise ValueError(f"no finer level holds what {buckets.name} needs")


def fill_from_finer(conn: sa.Connection, level: tuple[sa.Table, sa.Table], finer: tuple[sa.Table, sa.Table],
            scope: _Scope = None) -> None:
    """Fill the (cleared) rows of ``level`` in ``scope`` (None: all; widened to whole buckets of its width) by
    adding up the ``finer`` level's: what upkeep does for each coarser level, and how 0026 filled the hours."""
    (buckets, bins), (finer_buckets, finer_bins) = level, finer
    width = kpi_bucket_ms(buckets)
    f = finer_buckets.c
    at = (f.bucket_at if width == kpi_bucket_ms(finer_buckets) else bucket_sql(f.bucket_at, width)).label("bucket_at")
    keys = [at, f.scenario, *(f[d] for d in _dim_names(buckets))]
    sums = [(sa.func.max(f[m.name]) if m.agg == "max" else sa.func.sum(f[m.name])).label(m.name) for m in _COLUMNS]
    select = (sa.select(*keys, *sums).where(*_within(finer_buckets, f.bucket_at, _widened(scope, width)))
              .group_by(*keys))
    conn.execute(buckets.insert().from_select([*(k.name for k in keys), *(m.name for m in _COLUMNS)], select))
    w = finer_bins.c
    at = (w.bucket_at if width == kpi_bucket_ms(finer_bins) else bucket_sql(w.bucket_at, width)).label("bucket_at")
    keys = [at, w.scenario, *(w[d] for d in _dim_names(bins)), w.kind, w.bin]
    select = (sa.select(*keys, sa.func.sum(w.n).label("n"))
              .where(*_within(finer_bins, w.bucket_at, _widened(scope, width))).group_by(*keys))
    conn.execute(bins.insert().from_select([*(k.name for k in keys), "n"], select))


def _clear(conn: sa.Connection, scope: _Scope, levels: _Levels) -> None:
    """Delete the rows of ``levels`` in ``scope`` (None: all), over whole buckets of each table's width."""
    for tables in levels:
        for table in tables:
            if scope is None:
                conn.execute(table.delete())
                continue
            widened = _widened(scope, kpi_bucket_ms(table))
            conn.execute(table.delete().where(*_within(table, table.c.bucket_at, widened)))


def refresh(conn: sa.Connection, touched: TouchedBuckets) -> None:
    """Recompute the pre-aggregates of the touched buckets from ``calls`` (call it in the writing transaction)
    and raise the data generation."""
    runs = touched.runs()
    raise_generation(conn, [d for _, lo, hi in runs for d in days_of(lo, hi)])
    for run in runs:
        _clear(conn, run, KPI_LEVELS)
        _fill(conn, run, KPI_LEVELS)


def forget_scenario(conn: sa.Connection, scenario: str, days: Iterable[int] | None = None) -> None:
    """Drop the pre-aggregates of a scenario whose calls are deleted, and raise the data generation of ``days``
    (the UTC days its calls and agent states were on; None: every day)."""
    raise_generation(conn, days)
    for tables in KPI_LEVELS:
        for table in tables:
            conn.execute(table.delete().where(of_scenario(table.c.scenario, scenario)))


def rebuild(conn: sa.Connection) -> dict[str, int]:
    """Recompute every pre-aggregate from ``calls`` and raise the data generation; the rows each table holds."""
    raise_generation(conn)
    return rebuild_tables(conn)


def rebuild_tables(conn: sa.Connection, levels: _Levels = KPI_LEVELS) -> dict[str, int]:
    """:func:`rebuild` of ``levels`` without the data generation (a migration names the levels it made, and 0017
    runs before the generation's table exists); the rows each table holds afterwards."""
    _clear(conn, None, levels)
    _fill(conn, None, levels)
    return {t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for tables in levels for t in tables}


# --- reads -----------------------------------------------------------------------------------------


def fits_zone(tz: str, lo_ms: int, hi_ms: int, bucket_ms: int = BUCKET_MS) -> bool:
    """Whether UTC buckets ``bucket_ms`` wide answer reports in ``tz`` over ``[lo_ms, hi_ms)`` exactly."""
    segments = offset_segments(tz, lo_ms, hi_ms)
    return zone_fits([s.offset_ms for s in segments], [lo_ms, hi_ms, *(s.start_ms for s in segments[1:])], lo_ms,
                     bucket_ms)


def read_level(dims: Sequence[str], only_agents: frozenset[str] | None, *, grain: Grain, tz: str, lo_ms: int,
               hi_ms: int) -> tuple[sa.Table, sa.Table] | None:
    """The (buckets, bins) tables a report reads: the coarsest level holding its dimensions whose bucket divides
    the grain's and fits the zone over ``[lo_ms, hi_ms)``; None when none fits (the report reads ``calls``)."""
    needed = {"agent" if d == "team" else d for d in dims} | ({"agent"} if only_agents is not None else set())
    if not needed <= set(KPI_LEVELS[-1][0].c.keys()):
        raise ValueError(f"no pre-aggregate level has {sorted(needed)}")
    for buckets, bins in KPI_LEVELS:
        width = kpi_bucket_ms(buckets)
        if needed <= set(buckets.c.keys()) and grain.bucket_ms % width == 0 and fits_zone(tz, lo_ms, hi_ms, width):
            return buckets, bins
    return None


def _select(table: sa.Table, columns: Sequence[Any], *, lo_ms: int, hi_ms: int, grain: Grain, tz: str,
            dims: Sequence[str], scenario: str | None, only_agents: frozenset[str] | None,
            where: Sequence[Any] = ()) -> sa.Select[Any]:
    t = table.c
    bucket = bucket_sql(local_ms_sql(t.bucket_at, tz, lo_ms, hi_ms), grain.bucket_ms).label("bucket")
    source: Any = table
    dim_cols = []
    for d in dims:
        if d == "team":
            dim_cols.append(agents.c.team)
        else:
            dim_cols.append(t[d])
    if "team" in dims:
        source = table.outerjoin(agents, agents.c.agent_id == t.agent)
    conds = [of_scenario(t.scenario, scenario), t.bucket_at >= sa.literal(lo_ms, sa.BigInteger),
             t.bucket_at < sa.literal(hi_ms, sa.BigInteger), *where]
    if only_agents is not None:
        conds.append(t.agent.in_(sorted(only_agents)) if only_agents else sa.false())
    return sa.select(bucket, *dim_cols, *columns).select_from(source).where(*conds).group_by(bucket, *dim_cols)


def aggregate_reads(plan: ReadPlan, *, start: Any, end: Any, grain: Grain, tz: str, dims: Sequence[str],
                    options: KpiOptions, scenario: str | None,
                    only_agents: frozenset[str] | None) -> list[tuple[sa.Select[Any], tuple[str, ...]]]:
    """Statements ``bucket, dims..., measures...`` answering the stored and binned measures of ``plan``, with the
    measure names of each; empty when the zone does not fit (the caller reads ``calls`` instead)."""
    lo_ms, hi_ms = local_range_ms(start, end, tz)
    level = read_level(dims, only_agents, grain=grain, tz=tz, lo_ms=lo_ms, hi_ms=hi_ms)
    if level is None or kpi_bucket_ms(level[0]) < DAY_MS:
        composed = day_reads(plan, start=start, end=end, grain=grain, tz=tz, dims=dims, options=options,
                             scenario=scenario, only_agents=only_agents)
        if composed is not None:
            return composed
    if level is None:
        return []
    buckets, bins = level
    kw: Mapping[str, Any] = {"lo_ms": lo_ms, "hi_ms": hi_ms, "grain": grain, "tz": tz, "dims": dims,
                             "scenario": scenario, "only_agents": only_agents}
    out: list[tuple[sa.Select[Any], tuple[str, ...]]] = []
    if plan.stored:
        t = buckets.c
        cols = [(sa.func.max(t[col]) if measure(n).agg == "max" else sa.func.sum(t[col])).label(n)
                for n, col in plan.stored]
        out.append((_select(buckets, cols, **kw), tuple(n for n, _ in plan.stored)))
    if plan.binned:
        kinds = [bins.c.kind.in_([b.kind for b in plan.binned])]
        out.append((_select(bins, binned_sums(bins.c, plan.binned, options), where=kinds, **kw),
                    tuple(b.name for b in plan.binned)))
    return out
