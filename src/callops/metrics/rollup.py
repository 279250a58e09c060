"""Report rows from bucket measures: combine buckets into periods, compute KPIs, compare periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from callops.metrics.evaluate import combine_measures
from callops.metrics.grains import Grain, bucket_start, period_label, period_start, shift_forward
from callops.metrics.kpis import compute_kpis, measures_for
from callops.metrics.measures import measure
from callops.metrics.options import KpiOptions

__all__ = ["BucketMeasures", "ReportRow", "roll_up", "report_rows"]

Dim = str | int | None
Key = tuple[dt.datetime, tuple[Dim, ...]]


@dataclass(frozen=True, slots=True)
class BucketMeasures:
    """Measures of one engine bucket: its local start (epoch ms, local clock) and dimension values."""

    bucket_local_ms: int
    dims: tuple[Dim, ...]
    measures: Mapping[str, float | None]


@dataclass(frozen=True, slots=True)
class ReportRow:
    period: str
    period_start: dt.datetime  # naive, in the report's zone
    dims: tuple[tuple[str, Dim], ...]
    kpis: Mapping[str, float | None]
    previous: Mapping[str, float | None] | None = None

    def as_dict(self) -> dict[str, object]:
        """The row as JSON-ready data: period, dimension values, KPIs, then ``prev_<kpi>`` when compared."""
        out: dict[str, object] = {"period": self.period, **dict(self.dims), **self.kpis}
        if self.previous is not None:
            out.update({f"prev_{k}": v for k, v in self.previous.items()})
        return out


def roll_up(buckets: Iterable[BucketMeasures], *, grain: Grain,
            range_start: dt.date) -> dict[Key, dict[str, float | None]]:
    """Buckets combined into ``grain`` periods, per dimension values."""
    grouped: dict[Key, list[Mapping[str, float | None]]] = {}
    for b in buckets:
        key = (period_start(bucket_start(b.bucket_local_ms), grain, range_start=range_start), b.dims)
        grouped.setdefault(key, []).append(b.measures)
    return {key: combine_measures(parts) for key, parts in grouped.items()}


def _filled(values: Mapping[str, float | None], names: Sequence[str]) -> dict[str, float | None]:
    """Absent counts and sums are 0 (no rows); absent maxima stay None."""
    return {n: values.get(n, None if measure(n).agg == "max" else 0.0) for n in names}


def report_rows(current: Iterable[BucketMeasures], *, grain: Grain, dim_names: Sequence[str],
                kpi_keys: Sequence[str], options: KpiOptions, range_start: dt.date,
                previous: Iterable[BucketMeasures] | None = None, previous_range_start: dt.date | None = None,
                span_days: int = 1) -> list[ReportRow]:
    """One row per period and dimension values, sorted; with ``previous``, each row carries the KPIs of
    the period one step earlier (see :func:`~callops.metrics.grains.shift_back`) for the same dimensions."""
    names = measures_for(kpi_keys)
    now = roll_up(current, grain=grain, range_start=range_start)
    before: dict[Key, dict[str, float | None]] | None = None
    if previous is not None:
        rolled = roll_up(previous, grain=grain, range_start=previous_range_start or range_start)
        before = {(shift_forward(start, grain, span_days=span_days), dims): m for (start, dims), m in rolled.items()}
    rows = []
    for (start, dims), values in now.items():
        prev = None
        if before is not None:
            prev = compute_kpis(_filled(before.get((start, dims), {}), names), kpi_keys, options)
        rows.append(ReportRow(period_label(start, grain), start, tuple(zip(dim_names, dims, strict=True)),
                              compute_kpis(_filled(values, names), kpi_keys, options), prev))
    rows.sort(key=lambda r: (r.period_start, tuple((v is None, str(v)) for _, v in r.dims)))
    return rows
