"""Weeks to years (and totals) from the UTC-day level of the KPI pre-aggregates, in any zone.

A local period ``[lo, hi)`` (:func:`callops.metrics.periods.local_periods`) is read as the whole UTC days inside
it, from the day level (``kpi_buckets_day``: queue, call type, priority and source), plus its ragged edges (a
zone's offset makes a local month start mid-UTC-day) from the coarsest finer level that holds the report's
dimensions and whose buckets do not cross a period's bounds: the hour level by queue alone, else the 15-minute
queue level. Each UTC bucket goes to the period its start lies in (``CASE`` over the bounds), the two parts
are added in SQL (``UNION ALL`` then ``GROUP BY``: whole microseconds and counts add exactly), and every period
comes back as one row keyed by its first local day, which :func:`callops.metrics.report_rows` rolls into it.

This is exact where :func:`callops.metrics.periods.bounds_fit` holds (every call in a period's UTC range has its
local date in the period); elsewhere, and for the day grain and shorter, agent and team reports, or a range
without a whole UTC day, :func:`day_reads` answers None and the caller uses one level for the whole range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from callops.metrics import Grain, KpiOptions, measure
from callops.metrics.periods import LocalPeriod, bounds_fit, local_periods, split_periods
from callops.metrics.preaggregates import Binned, ReadPlan
from callops.metrics.zones import DAY_MS
from callops.store.schema import KPI_LEVELS, kpi_bucket_ms
from callops.store.sql_terms import of_scenario

__all__ = ["day_reads", "binned_sums"]

_Level = tuple[sa.Table, sa.Table]


def _day_level() -> _Level:
    return next(level for level in KPI_LEVELS if kpi_bucket_ms(level[0]) == DAY_MS)


def _edge_level(needed: set[str], periods: Sequence[LocalPeriod], tz: str) -> _Level | None:
    """The coarsest level below a day holding ``needed`` whose buckets fall whole into the periods."""
    for level in KPI_LEVELS:
        width = kpi_bucket_ms(level[0])
        if width < DAY_MS and DAY_MS % width == 0 and needed <= set(level[0].c.keys()) \
                and bounds_fit(periods, tz, width):
            return level
    return None


def _period_sql(column: Any, periods: Sequence[LocalPeriod]) -> Any:
    """The key of the period a UTC bucket starting at ``column`` lies in: ``CASE`` expressions nested as a binary
    search over the bounds, so a row costs about log2(periods) comparisons (a decade by week: 9, not 260)."""
    if len(periods) == 1:
        return sa.literal(periods[0].key_local_ms, sa.BigInteger)
    mid = len(periods) // 2
    return sa.case((column < sa.literal(periods[mid].lo_ms, sa.BigInteger), _period_sql(column, periods[:mid])),
                   else_=_period_sql(column, periods[mid:]))


def _part(table: sa.Table, ranges: Sequence[tuple[int, int]], periods: Sequence[LocalPeriod], *,
          dims: Sequence[str], columns: Sequence[str], scenario: str | None, where: Sequence[Any]) -> sa.Select[Any]:
    """``SELECT bucket, dims..., columns...`` of the rows in the UTC ranges: one statement whose ``OR`` of
    (scenario, range) conditions each engine answers with one index range per term (SQLite's OR by union,
    PostgreSQL's BitmapOr); statement building and compiling grow with the periods, not with the ranges."""
    t = table.c
    scenario_is = of_scenario(t.scenario, scenario)
    within = [sa.and_(scenario_is, t.bucket_at >= sa.literal(lo, sa.BigInteger),
                      t.bucket_at < sa.literal(hi, sa.BigInteger)) for lo, hi in ranges]
    return (sa.select(_period_sql(t.bucket_at, periods).label("bucket"), *(t[d] for d in dims),
                      *(t[c] for c in columns))
            .where(within[0] if len(within) == 1 else sa.or_(*within), *(w(t) for w in where)))


def day_reads(plan: ReadPlan, *, start: dt.date, end: dt.date, grain: Grain, tz: str, dims: Sequence[str],
              options: KpiOptions, scenario: str | None,
              only_agents: frozenset[str] | None) -> list[tuple[sa.Select[Any], tuple[str, ...]]] | None:
    """Statements ``bucket, dims..., measures...`` answering the stored and binned measures of ``plan`` from the
    day level and the edges' level, one row per period and dimension values; None where they do not apply."""
    if grain.intraday or grain is Grain.DAY or only_agents is not None:
        return None
    day = _day_level()
    needed = set(dims)
    if not needed <= set(day[0].c.keys()):
        return None
    periods = local_periods(start, end, grain, tz)
    split = split_periods(periods)
    if not split.whole_days:
        return None
    edge = _edge_level(needed, periods, tz) if split.edges else None
    if edge is None and (split.edges or not bounds_fit(periods, tz, DAY_MS)):
        return None
    kw: dict[str, Any] = {"dims": dims, "scenario": scenario}

    def union(which: int, columns: Sequence[str], where: Sequence[Any] = ()) -> sa.Subquery:
        selects = [_part(day[which], split.whole_days, periods, columns=columns, where=where, **kw)]
        if edge is not None:
            selects.append(_part(edge[which], split.edges, periods, columns=columns, where=where, **kw))
        return sa.union_all(*selects).subquery("parts")

    def grouped(parts: sa.Subquery, aggregates: Sequence[Any]) -> sa.Select[Any]:
        keys = [parts.c.bucket, *(parts.c[d] for d in dims)]
        return sa.select(*keys, *aggregates).group_by(*keys)

    out: list[tuple[sa.Select[Any], tuple[str, ...]]] = []
    if plan.stored:
        parts = union(0, list(dict.fromkeys(col for _, col in plan.stored)))
        cols = [(sa.func.max(parts.c[col]) if measure(n).agg == "max" else sa.func.sum(parts.c[col])).label(n)
                for n, col in plan.stored]
        out.append((grouped(parts, cols), tuple(n for n, _ in plan.stored)))
    if plan.binned:
        kinds = sorted({b.kind for b in plan.binned})
        parts = union(1, ["kind", "bin", "n"], [lambda t: t.kind.in_(kinds)])
        out.append((grouped(parts, binned_sums(parts.c, plan.binned, options)), tuple(b.name for b in plan.binned)))
    return out


def binned_sums(bins: Any, binned: Sequence[Binned], options: KpiOptions) -> list[Any]:
    """Each binned measure as the sum of the histogram counts ``n`` of its ``kind`` whose ``bin`` meets its
    threshold (``bins``: the columns of a histogram table or of a subquery shaped like one)."""
    out = []
    for b in binned:
        threshold = sa.literal(int(options.param(b.param)), sa.Integer)
        hit = {"<": bins.bin < threshold, "<=": bins.bin <= threshold, ">": bins.bin > threshold,
               ">=": bins.bin >= threshold}[b.op]
        out.append(sa.func.sum(sa.case((sa.and_(bins.kind == b.kind, hit), bins.n), else_=0)).label(b.name))
    return out
