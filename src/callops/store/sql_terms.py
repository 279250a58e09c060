"""SQL building blocks shared by the KPI queries and the KPI pre-aggregates: measure definitions as SQLAlchemy
Core expressions, local time by a CASE over a zone's offsets, buckets, and the real/scenario row filter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from callops.metrics import (
    All,
    Always,
    AnyOf,
    BucketMeasures,
    Compare,
    IsNull,
    IsTrue,
    KpiOptions,
    Measure,
    NotNull,
    OneOf,
    Param,
    Predicate,
    measure,
    offset_segments,
)

__all__ = ["SUM_SCALE", "of_scenario", "predicate_sql", "aggregate_sql", "local_ms_sql", "bucket_sql", "to_buckets"]


SUM_SCALE = 1_000_000.0  # sums of seconds are added as whole microseconds


def of_scenario(column: sa.Column[Any], scenario: str | None) -> sa.ColumnElement[bool]:
    """The rows of ``scenario``: real records (``scenario IS NULL``) for None, else that saved scenario's."""
    return column.is_(None) if scenario is None else column == scenario


def predicate_sql(pred: Predicate, cols: sa.ColumnCollection[str, Any], options: KpiOptions) -> Any:
    """``pred`` over the columns ``cols`` (numeric columns read as 0 when NULL in comparisons)."""
    match pred:
        case Always():
            return sa.true()
        case OneOf(column, values):
            return cols[column].in_(values)
        case Compare(column, op, value):
            left = sa.func.coalesce(cols[column], 0.0)
            right = sa.literal(options.param(value.name) if isinstance(value, Param) else value, sa.Float)
            return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
        case IsNull(column):
            return cols[column].is_(None)
        case NotNull(column):
            return cols[column].is_not(None)
        case IsTrue(column):
            return cols[column] == sa.true()
        case All(parts):
            return sa.and_(*(predicate_sql(p, cols, options) for p in parts))
        case AnyOf(parts):
            return sa.or_(*(predicate_sql(p, cols, options) for p in parts))
    raise TypeError(f"not a predicate: {pred!r}")


def aggregate_sql(m: Measure, cols: sa.ColumnCollection[str, Any], options: KpiOptions) -> Any:
    """The aggregate of measure ``m`` over rows with the columns ``cols``, labelled with its name. Sums are of
    whole microseconds, so every engine and every order of adding (calls, pre-aggregates) gives the same
    integer; :func:`to_buckets` turns them back into seconds."""
    cond = predicate_sql(m.when, cols, options)
    if m.agg == "count":
        return sa.func.sum(sa.case((cond, 1), else_=0)).label(m.name)
    value = sa.func.coalesce(cols[m.value or ""], 0.0)
    if m.agg == "sum":  # whole microseconds: integer sums are exact in any order (to_buckets divides)
        millis = sa.cast(sa.func.round(value * sa.literal(SUM_SCALE, sa.Float)), sa.BigInteger)
        return sa.func.sum(sa.case((cond, millis), else_=0)).label(m.name)
    return sa.func.max(sa.case((cond, value))).label(m.name)


def local_ms_sql(utc: Any, tz: str, lo_ms: int, hi_ms: int) -> Any:
    """``utc`` (epoch ms) plus the zone's offset at that instant, as a CASE over the range's transitions."""
    segments = offset_segments(tz, lo_ms, hi_ms)
    if len(segments) == 1:
        return utc + sa.literal(segments[0].offset_ms, sa.BigInteger)
    whens = [(utc < sa.literal(nxt.start_ms, sa.BigInteger), sa.literal(seg.offset_ms, sa.BigInteger))
             for seg, nxt in zip(segments, segments[1:], strict=False)]
    return utc + sa.case(*whens, else_=sa.literal(segments[-1].offset_ms, sa.BigInteger))


def bucket_sql(local: Any, width_ms: int) -> Any:
    """The start of the ``width_ms`` bucket holding ``local``."""
    return local - local % sa.literal(width_ms, sa.BigInteger)


def to_buckets(rows: Sequence[Sequence[Any]], n_dims: int, names: Sequence[str]) -> list[BucketMeasures]:
    """Rows ``bucket, dims..., measures...`` as bucket measures (sums kept in whole microseconds: report_rows adds
    a period's buckets as integers, then turns them into seconds)."""
    out = []
    scaled = [measure(n).agg == "sum" for n in names]  # looked up once, not per row and value
    for row in rows:
        values = {n: (None if v is None else int(v) if s else float(v))
                  for n, s, v in zip(names, scaled, row[1 + n_dims:], strict=True)}
        dims = tuple(v if v is None or isinstance(v, str) else int(v) for v in row[1:1 + n_dims])
        out.append(BucketMeasures(int(row[0]), dims, values, whole_us=True))
    return out
