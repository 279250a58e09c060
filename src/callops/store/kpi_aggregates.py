"""KPI pre-aggregates: the read model KPI reports use, kept in the same transaction as every write of calls.

Per 15-minute UTC bucket, scenario and dimension values, the tables of :data:`~callops.store.schema.KPI_LEVELS`
hold every stored measure (:data:`callops.metrics.preaggregates.STORED`) and wait-time histograms
(:data:`~callops.metrics.preaggregates.BINNED`), at two levels: with the agent and without.

Upkeep recomputes whole buckets: a write of calls names the (scenario, bucket) pairs it touched
(:func:`refresh`), and each run of touched buckets is deleted and aggregated again from ``calls`` with one
``INSERT ... SELECT`` per table, so inserts, re-imports and deletes all leave exactly what a rebuild leaves.
:func:`rebuild` (``callops db rebuild-aggregates``) recomputes everything.

Reads (:func:`aggregate_reads`) answer every grain from 15 minutes to a year in any zone whose offsets and
transitions in the range fall on 15-minute boundaries; :func:`callops.store.kpi_query.query_buckets` reads the
calls table for the rest (other zones, ``fcr``, thresholds off the histogram's bin edges).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from callops.metrics import Grain, KpiOptions, local_range_ms, measure, offset_segments
from callops.metrics.preaggregates import BIN_STEPS, BINNED, BUCKET_MS, PRESETS, STORED, Binned, ReadPlan, zone_fits
from callops.store.data_generation import raise_generation
from callops.store.schema import KPI_LEVELS, agents, calls
from callops.store.sql_terms import aggregate_sql, bucket_sql, local_ms_sql, of_scenario, predicate_sql

__all__ = ["TouchedBuckets", "refresh", "forget_scenario", "rebuild", "rebuild_tables", "aggregate_reads",
           "fits_zone"]

_Scope = tuple[str | None, int, int] | None  # (scenario, lo_ms, hi_ms) of the buckets to fill; None: all
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


def _within(table: sa.Table, column: Any, scope: _Scope) -> list[Any]:
    """The rows of ``table`` in ``scope`` (everything when it is None), ``column`` being their start."""
    if scope is None:
        return []
    scenario, lo, hi = scope
    return [of_scenario(table.c.scenario, scenario), column >= sa.literal(lo, sa.BigInteger),
            column < sa.literal(hi, sa.BigInteger)]


def _fill(conn: sa.Connection, scope: _Scope) -> None:
    """Aggregate the calls in ``scope`` into the finest level from ``calls``, then each coarser level from the
    finest (sums of whole microseconds, counts and maxima combine exactly)."""
    c = calls.c
    (fine, fine_bins), coarser = KPI_LEVELS[-1], KPI_LEVELS[:-1]
    where = _within(calls, _started(), scope)
    bucket = bucket_sql(_started(), BUCKET_MS).label("bucket_at")
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
    for buckets, bins in coarser:
        f = fine.c
        keys = [f.bucket_at, f.scenario, *(f[d] for d in _dim_names(buckets))]
        sums = [(sa.func.max(f[m.name]) if m.agg == "max" else sa.func.sum(f[m.name])).label(m.name)
                for m in _COLUMNS]
        select = sa.select(*keys, *sums).where(*_within(fine, f.bucket_at, scope)).group_by(*keys)
        conn.execute(buckets.insert().from_select([*(k.name for k in keys), *(m.name for m in _COLUMNS)], select))
        w = fine_bins.c
        keys = [w.bucket_at, w.scenario, *(w[d] for d in _dim_names(bins)), w.kind, w.bin]
        select = (sa.select(*keys, sa.func.sum(w.n).label("n")).where(*_within(fine_bins, w.bucket_at, scope))
                  .group_by(*keys))
        conn.execute(bins.insert().from_select([*(k.name for k in keys), "n"], select))


def _clear(conn: sa.Connection, scenario: str | None, lo_ms: int | None = None, hi_ms: int | None = None) -> None:
    for tables in KPI_LEVELS:
        for table in tables:
            cond = [of_scenario(table.c.scenario, scenario)]
            if lo_ms is not None and hi_ms is not None:
                cond += [table.c.bucket_at >= lo_ms, table.c.bucket_at < hi_ms]
            conn.execute(table.delete().where(*cond))


def refresh(conn: sa.Connection, touched: TouchedBuckets) -> None:
    """Recompute the pre-aggregates of the touched buckets from ``calls`` (call it in the writing transaction)
    and raise the data generation."""
    raise_generation(conn)
    for scenario, lo, hi in touched.runs():
        _clear(conn, scenario, lo, hi)
        _fill(conn, (scenario, lo, hi))


def forget_scenario(conn: sa.Connection, scenario: str) -> None:
    """Drop the pre-aggregates of a scenario whose calls are deleted, and raise the data generation."""
    raise_generation(conn)
    _clear(conn, scenario)


def rebuild(conn: sa.Connection) -> dict[str, int]:
    """Recompute every pre-aggregate from ``calls`` and raise the data generation; the rows each table holds."""
    raise_generation(conn)
    return rebuild_tables(conn)


def rebuild_tables(conn: sa.Connection) -> dict[str, int]:
    """:func:`rebuild` without the data generation (migration 0017 runs before its table exists)."""
    for tables in KPI_LEVELS:
        for table in tables:
            conn.execute(table.delete())
    _fill(conn, None)
    return {t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for tables in KPI_LEVELS for t in tables}


# --- reads -----------------------------------------------------------------------------------------


def fits_zone(tz: str, lo_ms: int, hi_ms: int) -> bool:
    """Whether the 15-minute UTC buckets answer reports in ``tz`` over ``[lo_ms, hi_ms)`` exactly."""
    segments = offset_segments(tz, lo_ms, hi_ms)
    return zone_fits([s.offset_ms for s in segments], [lo_ms, hi_ms, *(s.start_ms for s in segments[1:])], lo_ms)


@dataclass(frozen=True, slots=True)
class _Level:
    buckets: sa.Table
    bins: sa.Table


def _level(dims: Sequence[str], only_agents: frozenset[str] | None) -> _Level:
    needed = {"agent" if d == "team" else d for d in dims} | ({"agent"} if only_agents is not None else set())
    for buckets, bins in KPI_LEVELS:
        if needed <= set(buckets.c.keys()):
            return _Level(buckets, bins)
    raise ValueError(f"no pre-aggregate level has {sorted(needed)}")


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
    if not fits_zone(tz, lo_ms, hi_ms):
        return []
    level = _level(dims, only_agents)
    kw: Mapping[str, Any] = {"lo_ms": lo_ms, "hi_ms": hi_ms, "grain": grain, "tz": tz, "dims": dims,
                             "scenario": scenario, "only_agents": only_agents}
    out: list[tuple[sa.Select[Any], tuple[str, ...]]] = []
    if plan.stored:
        t = level.buckets.c
        cols = [(sa.func.max(t[col]) if measure(n).agg == "max" else sa.func.sum(t[col])).label(n)
                for n, col in plan.stored]
        out.append((_select(level.buckets, cols, **kw), tuple(n for n, _ in plan.stored)))
    if plan.binned:
        w = level.bins.c
        cols = []
        for b in plan.binned:
            threshold = sa.literal(int(options.param(b.param)), sa.Integer)
            hit = {"<": w.bin < threshold, "<=": w.bin <= threshold, ">": w.bin > threshold,
                   ">=": w.bin >= threshold}[b.op]
            cols.append(sa.func.sum(sa.case((sa.and_(w.kind == b.kind, hit), w.n), else_=0)).label(b.name))
        kinds = [w.kind.in_([b.kind for b in plan.binned])]
        out.append((_select(level.bins, cols, where=kinds, **kw), tuple(b.name for b in plan.binned)))
    return out
