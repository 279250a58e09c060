"""Which measures the stored pre-aggregates answer, and how a wait-time histogram answers the rest exactly.

The store keeps, per 15-minute UTC bucket and dimension values, every call measure whose predicate
reads no report option (:data:`STORED`): offered, answered, sums of wait and handle time, maxima, ...
Measures that compare one column with an option (``answered_within_t``: wait <= T, ``short_abandoned``:
wait < S) come from a histogram of that column over the measure's other conditions (:data:`BINNED`).
The common thresholds (:data:`PRESET_THRESHOLDS`: 0, 5, ... 300 s) are also
stored as counts of their own (:data:`PRESETS`), so the usual report reads no histogram. Everything else
(``fcr_no_repeat``: it depends on the caller's *next* call, which a later write changes; the gap to it is kept
with each call, :mod:`callops.store.contact_gaps`)
is read from the calls table.

Histogram bins are 1 s wide up to 120 s, 10 s to 600 s, 60 s to 3600 s and 3600 s beyond. A value is
stored as its bin's upper edge (``ceil``) for ``<=``/``>`` comparisons and its lower edge (``floor``) for
``<``/``>=``, so a threshold on a bin edge (:func:`exact_threshold`: whole seconds to 120, multiples of 10
to 600, of 60 to 3600, of 3600 beyond) gives exactly the count the calls table gives. The report builder
offers whole seconds; a threshold off the edges (``--sl-threshold 20.5``, or 125) is read from calls.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from callops.metrics.expressions import All, AnyOf, Compare, Param, Predicate
from callops.metrics.measures import MEASURES, Measure, Table, measure
from callops.metrics.options import KpiOptions

__all__ = ["BUCKET_MS", "HOUR_MS", "BIN_STEPS", "Binned", "STORED", "BINNED", "PRESETS", "PRESET_THRESHOLDS",
           "ReadPlan", "bin_edge", "exact_threshold", "plan_reads", "preset_column", "zone_fits"]

BUCKET_MS = 15 * 60_000  # the stored bucket: 15 minutes of UTC
HOUR_MS = 60 * 60_000  # the coarser level's bucket, for long ranges: an hour of UTC
BIN_STEPS: tuple[tuple[float, int], ...] = ((120.0, 1), (600.0, 10), (3600.0, 60), (math.inf, 3600))


def _uses_param(pred: Predicate) -> bool:
    match pred:
        case Compare(_, _, value):
            return isinstance(value, Param)
        case All(parts) | AnyOf(parts):
            return any(_uses_param(p) for p in parts)
    return False


@dataclass(frozen=True, slots=True)
class Binned:
    """A count measure ``base AND column op Param``: a histogram of ``column`` over the rows where ``base`` holds."""

    name: str
    kind: int  # the histogram's number in the store
    base: Predicate
    column: str
    op: Literal["<", "<=", ">", ">="]
    param: str

    @property
    def rounding(self) -> Literal["ceil", "floor"]:
        """``ceil`` (upper bin edge) keeps ``<=`` and ``>`` exact; ``floor`` keeps ``<`` and ``>=``."""
        return "ceil" if self.op in ("<=", ">") else "floor"


def _binned(m: Measure, kind: int) -> Binned | None:
    if m.table is not Table.CALLS or m.agg != "count" or not isinstance(m.when, All):
        return None
    compares = [p for p in m.when.parts if isinstance(p, Compare) and isinstance(p.value, Param)]
    rest = tuple(p for p in m.when.parts if p not in compares)
    if len(compares) != 1 or any(_uses_param(p) for p in rest):
        return None
    cmp = compares[0]
    assert isinstance(cmp.value, Param)
    return Binned(m.name, kind, All(rest), cmp.column, cmp.op, cmp.value.name)


STORED: tuple[Measure, ...] = tuple(m for m in MEASURES if m.table is Table.CALLS and not _uses_param(m.when))
BINNED: tuple[Binned, ...] = tuple(
    replace(b, kind=i) for i, b in enumerate(x for x in (_binned(m, 0) for m in MEASURES) if x is not None))
_BINNED_BY_NAME = {b.name: b for b in BINNED}
_STORED_NAMES = frozenset(m.name for m in STORED)

# Thresholds common enough to keep as counts beside the stored measures (the histograms answer the others)
PRESET_THRESHOLDS: tuple[int, ...] = (0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300)


def preset_column(name: str, threshold: int) -> str:
    """The stored column of binned measure ``name`` at a preset threshold, e.g. ``answered_within_t_at_20``."""
    return f"{name}_at_{threshold}"


PRESETS: tuple[Measure, ...] = tuple(
    Measure(preset_column(b.name, t), Table.CALLS, "count", All((b.base, Compare(b.column, b.op, float(t)))))
    for b in BINNED for t in PRESET_THRESHOLDS)
"""Binned measures at the preset thresholds, as measures of their own: the same predicate with the value in."""


def bin_edge(value: float | None, rounding: Literal["ceil", "floor"]) -> int:
    """The stored bin of ``value`` (NULL reads as 0, as in measures): the reference the SQL is tested against."""
    v = 0.0 if value is None else float(value)
    for limit, step in BIN_STEPS:
        if (v <= limit) if rounding == "ceil" else (v < limit):
            q = v / step
            return int((math.ceil(q) if rounding == "ceil" else math.floor(q)) * step)
    raise AssertionError("the last bin is unbounded")


def exact_threshold(value: float) -> bool:
    """Whether a threshold lies on a bin edge, so the histogram answers it exactly."""
    if not math.isfinite(value) or value != int(value):
        return False
    whole = int(value)
    for limit, step in BIN_STEPS:
        if whole <= limit:
            return whole % step == 0
    return False


def zone_fits(offsets_ms: Sequence[int], transitions_ms: Sequence[int], lo_ms: int, bucket_ms: int = BUCKET_MS) -> bool:
    """Whether UTC buckets ``bucket_ms`` wide map whole onto local buckets: every offset and every transition in
    the range on a bucket boundary, from 1970 on. For 15 minutes, Asia/Kathmandu's +5:45 fits and a historical
    +8:05:43 does not; for an hour, whole-hour zones fit and India's +5:30 or Lord Howe's 30-minute change do not."""
    return lo_ms >= 0 and all(x % bucket_ms == 0 for x in (*offsets_ms, *transitions_ms))


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """Where each wanted call measure is read from: stored columns (measure, column), histograms, or calls."""

    stored: tuple[tuple[str, str], ...]
    binned: tuple[Binned, ...]
    calls: tuple[str, ...]


def plan_reads(names: Sequence[str], options: KpiOptions) -> ReadPlan:
    """Split the call measures ``names`` between the stored columns (a binned measure at a preset threshold
    too), the histograms (other thresholds on a bin edge) and the calls table."""
    stored: list[tuple[str, str]] = []
    binned: list[Binned] = []
    rest: list[str] = []
    for name in names:
        if measure(name).table is not Table.CALLS:
            continue
        b = _BINNED_BY_NAME.get(name)
        threshold = options.param(b.param) if b is not None else None
        if name in _STORED_NAMES:
            stored.append((name, name))
        elif threshold is not None and threshold in PRESET_THRESHOLDS:
            stored.append((name, preset_column(name, int(threshold))))
        elif b is not None and threshold is not None and exact_threshold(threshold):
            binned.append(b)
        else:
            rest.append(name)
    return ReadPlan(tuple(stored), tuple(binned), tuple(rest))
