"""Report rows from bucket measures: combine buckets into periods, compute KPIs, compare periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from callops.metrics.evaluate import combine_measures
from callops.metrics.grains import Grain, bucket_start, period_label, period_start, shift_forward
from callops.metrics.kpis import compute_kpis, measures_for, samples_for
from callops.metrics.measures import measure
from callops.metrics.options import KpiOptions

__all__ = ["BucketMeasures", "ReportRow", "US_PER_S", "roll_up", "report_rows"]

Dim = str | int | None
Key = tuple[dt.datetime, tuple[Dim, ...]]


@dataclass(frozen=True, slots=True)
class BucketMeasures:
    """Measures of one engine bucket: its local start (epoch ms, local clock) and dimension values."""

    bucket_local_ms: int
    dims: tuple[Dim, ...]
    measures: Mapping[str, float | None]
    samples: Mapping[str, tuple[float, ...]] = field(default_factory=dict)  # values for medians
    whole_us: bool = False  # sums are whole microseconds (ints): they add exactly, then become seconds per period


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
    return {key: combined for key, (combined, _) in _rolled(buckets, grain=grain, range_start=range_start).items()}


Samples = dict[str, list[float]]
US_PER_S = 1_000_000  # the unit of the sums of BucketMeasures.whole_us


def _rolled(buckets: Iterable[BucketMeasures], *, grain: Grain,
            range_start: dt.date) -> dict[Key, tuple[dict[str, float | None], Samples]]:
    """Measures combined and samples joined into ``grain`` periods, per dimension values."""
    grouped: dict[Key, list[Mapping[str, float | None]]] = {}
    exact: dict[Key, list[Mapping[str, float | None]]] = {}  # parts whose sums are whole microseconds
    values: dict[Key, Samples] = {}
    for b in buckets:
        key = (period_start(bucket_start(b.bucket_local_ms), grain, range_start=range_start), b.dims)
        parts = grouped.setdefault(key, [])
        (exact.setdefault(key, []) if b.whole_us else parts).append(b.measures)
        joined = values.setdefault(key, {})
        for name, part in b.samples.items():
            joined.setdefault(name, []).extend(part)
    for key, parts in exact.items():  # one period's sums added as integers, so any split of it gives the same
        grouped[key].append(_in_seconds(combine_measures(parts)))
    return {key: (combine_measures(parts), values[key]) for key, parts in grouped.items()}


def _in_seconds(values: Mapping[str, float | None]) -> dict[str, float | None]:
    return {n: v / US_PER_S if v is not None and measure(n).agg == "sum" else v for n, v in values.items()}


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
    wanted_samples = samples_for(kpi_keys)
    now = _rolled(current, grain=grain, range_start=range_start)
    before: dict[Key, tuple[dict[str, float | None], Samples]] | None = None
    if previous is not None:
        rolled = _rolled(previous, grain=grain, range_start=previous_range_start or range_start)
        before = {(shift_forward(start, grain, span_days=span_days), dims): m for (start, dims), m in rolled.items()}
    rows = []
    for (start, dims), (values, samples) in now.items():
        prev = None
        if before is not None:
            prev_values, prev_samples = before.get((start, dims), ({}, {}))
            prev = compute_kpis(_filled(prev_values, names), kpi_keys, options,
                                {n: prev_samples.get(n, []) for n in wanted_samples})
        rows.append(ReportRow(period_label(start, grain), start, tuple(zip(dim_names, dims, strict=True)),
                              compute_kpis(_filled(values, names), kpi_keys, options,
                                           {n: samples.get(n, []) for n in wanted_samples}), prev))
    rows.sort(key=lambda r: (r.period_start, tuple((v is None, str(v)) for _, v in r.dims)))
    return rows
