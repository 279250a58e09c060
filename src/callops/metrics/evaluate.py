"""Measures evaluated in plain Python, and measures combined across buckets.

The pure evaluator is the reference the SQL adapters are tested against: it reads the same measure
definitions over rows given as mappings (column name to value).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from callops.metrics.expressions import All, Always, AnyOf, Compare, IsNull, IsTrue, NotNull, OneOf, Param, Predicate
from callops.metrics.measures import Table, measure, sample
from callops.metrics.options import KpiOptions

__all__ = ["holds", "evaluate_measures", "combine_measures", "evaluate_samples"]

Row = Mapping[str, object]


def _number(value: object) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool | int | float):
        return float(value)
    raise TypeError(f"not a number: {value!r}")


def holds(predicate: Predicate, row: Row, options: KpiOptions) -> bool:
    """Whether ``predicate`` is true for ``row``."""
    match predicate:
        case Always():
            return True
        case OneOf(column, values):
            return row.get(column) in values
        case Compare(column, op, value):
            left = _number(row.get(column))
            right = options.param(value.name) if isinstance(value, Param) else value
            return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
        case IsNull(column):
            return row.get(column) is None
        case NotNull(column):
            return row.get(column) is not None
        case IsTrue(column):
            return row.get(column) is True or row.get(column) == 1
        case All(parts):
            return all(holds(p, row, options) for p in parts)
        case AnyOf(parts):
            return any(holds(p, row, options) for p in parts)
    raise TypeError(f"not a predicate: {predicate!r}")


def evaluate_measures(names: Sequence[str], rows: Iterable[Row], options: KpiOptions, *,
                      table: Table = Table.CALLS) -> dict[str, float | None]:
    """The measures ``names`` (of ``table``) over ``rows``; a maximum over no matching row is None."""
    wanted = [measure(n) for n in names if measure(n).table is table]
    out: dict[str, float | None] = {m.name: (None if m.agg == "max" else 0.0) for m in wanted}
    for row in rows:
        for m in wanted:
            if not holds(m.when, row, options):
                continue
            if m.agg == "count":
                out[m.name] = _number(out[m.name]) + 1.0
            elif m.agg == "sum":
                out[m.name] = _number(out[m.name]) + _number(row.get(m.value or ""))
            else:
                value = _number(row.get(m.value or ""))
                current = out[m.name]
                out[m.name] = value if current is None else max(current, value)
    return out


def combine_measures(parts: Iterable[Mapping[str, float | None]]) -> dict[str, float | None]:
    """Measures of several buckets as one: counts and sums add, maxima take the largest."""
    out: dict[str, float | None] = {}
    is_max: dict[str, bool] = {}  # each name's aggregate, looked up once
    for part in parts:
        for name, value in part.items():
            current = out.get(name)
            if name not in out:
                out[name] = value
            elif value is None:
                continue
            elif current is None:
                out[name] = value
            elif is_max[name] if name in is_max else is_max.setdefault(name, measure(name).agg == "max"):
                out[name] = max(current, value)
            else:
                out[name] = current + value
    return out


def evaluate_samples(names: Sequence[str], rows: Iterable[Row], options: KpiOptions, *,
                     table: Table) -> dict[str, tuple[float, ...]]:
    """The values of the samples ``names`` (of ``table``) over ``rows``, for medians."""
    wanted = [sample(n) for n in names if sample(n).table is table]
    out: dict[str, list[float]] = {s.name: [] for s in wanted}
    for row in rows:
        for s in wanted:
            if holds(s.when, row, options):
                out[s.name].append(_number(row.get(s.value)))
    return {name: tuple(values) for name, values in out.items()}
