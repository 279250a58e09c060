"""Local report periods as UTC ranges, and how whole UTC days and ragged edges make them up.

A week, month, quarter, year or whole-range total in a zone is a UTC range ``[lo_ms, hi_ms)`` from one local
midnight to another. Pre-aggregates kept per UTC day answer the whole UTC days inside it; the rest (a zone's
offset makes a local month start mid-UTC-day) comes from a finer level whose buckets do not cross a period's
bounds. :func:`split_periods` says which UTC ranges are which, :func:`bounds_fit` whether the split gives exactly
what bucketing each call by its local date gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from callops.metrics.grains import Grain, period_start
from callops.metrics.zones import DAY_MS, local_range_ms, offset_segments

__all__ = ["LocalPeriod", "PeriodSplit", "local_periods", "split_periods", "bounds_fit"]

_LOCAL_EPOCH = dt.date(1970, 1, 1)
_NEAR_MS = 3 * DAY_MS  # offsets are within +-26 h: an instant further from a bound is on its side on both clocks


@dataclass(frozen=True, slots=True)
class LocalPeriod:
    """One report period in the range: ``[lo_ms, hi_ms)`` in UTC epoch ms; ``key_local_ms``, the local epoch ms of
    its first day in the range (a bucket start that rolls up into this period), and ``end_local_ms``, that of
    the day after its last."""

    key_local_ms: int
    end_local_ms: int
    lo_ms: int
    hi_ms: int


@dataclass(frozen=True, slots=True)
class PeriodSplit:
    """UTC ranges (merged where adjacent, ascending) covering the periods: whole UTC days inside a period, and
    the rest."""

    whole_days: tuple[tuple[int, int], ...]
    edges: tuple[tuple[int, int], ...]


def local_periods(start: dt.date, end: dt.date, grain: Grain, tz: str) -> tuple[LocalPeriod, ...]:
    """The ``grain`` periods of the local dates ``start``..``end`` (a day or longer grain), clipped to the range."""
    if grain.intraday:
        raise ValueError(f"{grain.value} is shorter than a day")
    firsts = []
    day, current = start, None
    while day <= end:
        this = period_start(dt.datetime.combine(day, dt.time()), grain, range_start=start)
        if this != current:
            firsts.append(day)
            current = this
        day += dt.timedelta(days=1)
    after = end + dt.timedelta(days=1)
    keys = [(d - _LOCAL_EPOCH).days * DAY_MS for d in (*firsts, after)]
    bounds = [local_range_ms(d, d, tz)[0] for d in firsts] + [local_range_ms(end, end, tz)[1]]
    return tuple(LocalPeriod(k, k_next, lo, hi)
                 for k, k_next, lo, hi in zip(keys, keys[1:], bounds, bounds[1:], strict=False))


def _merged(ranges: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if lo >= hi:
            continue
        if out and out[-1][1] == lo:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


def split_periods(periods: Sequence[LocalPeriod]) -> PeriodSplit:
    """The whole UTC days inside each period, and the ragged edges around them (a period shorter than its
    first whole UTC day is all edge)."""
    days: list[tuple[int, int]] = []
    edges: list[tuple[int, int]] = []
    for p in periods:
        first, last = p.lo_ms + (-p.lo_ms) % DAY_MS, p.hi_ms - p.hi_ms % DAY_MS
        if first >= last:
            edges.append((p.lo_ms, p.hi_ms))
            continue
        edges.append((p.lo_ms, first))
        days.append((first, last))
        edges.append((last, p.hi_ms))
    return PeriodSplit(_merged(days), _merged(edges))


def bounds_fit(periods: Sequence[LocalPeriod], tz: str, bucket_ms: int) -> bool:
    """Whether UTC buckets ``bucket_ms`` wide (a divisor of a day) fall whole into the periods, and a call lies
    in a period's UTC range exactly when its local date (UTC plus the offset at that instant, what the calls
    table's reports bucket by) lies in the period: every bound on a bucket boundary, from 1970 on, and no
    instant before a bound on the local clock at or after its local midnight, none after it before (a clock
    turned back across midnight would do that)."""
    if not periods or periods[0].lo_ms < 0:
        return False
    bounds = [(p.lo_ms, p.key_local_ms) for p in periods] + [(periods[-1].hi_ms, periods[-1].end_local_ms)]
    if any(b % bucket_ms for b, _ in bounds):
        return False
    segments = offset_segments(tz, bounds[0][0] - _NEAR_MS, bounds[-1][0] + _NEAR_MS)
    ends = [s.start_ms for s in segments[1:]] + [bounds[-1][0] + _NEAR_MS]
    for b, midnight in bounds:
        for s, end in zip(segments, ends, strict=True):
            if s.start_ms < b and min(end, b) - 1 + s.offset_ms >= midnight:
                return False
            if end > b and max(s.start_ms, b) + s.offset_ms < midnight:
                return False
    return True
