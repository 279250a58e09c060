"""UTC offsets of a time zone over a range, so engines without zones can bucket in local time.

The store keeps UTC epoch milliseconds. A report in a zone adds the zone's offset, which changes
only at transitions (DST): over a range the offset is a short step function, which SQL evaluates as
``CASE WHEN t < t1 THEN o0 WHEN t < t2 THEN o1 ... END`` on any engine (SQLite has no zones).
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass

from callops.errors import InvalidInput

__all__ = ["DAY_MS", "OffsetSegment", "offset_segments", "local_range_ms", "zone"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DAY_MS = 86_400_000  # a UTC day in epoch milliseconds


@dataclass(frozen=True, slots=True)
class OffsetSegment:
    """From ``start_ms`` (UTC epoch ms) until the next segment, local = UTC + ``offset_ms``."""

    start_ms: int
    offset_ms: int


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone ``name``; an unknown name is an input error on the ``tz`` field."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long for a file
        raise InvalidInput(f"unknown time zone {name!r}", field="tz") from exc


def _offset_ms(tz: zoneinfo.ZoneInfo, utc_ms: int) -> int:
    offset = (_EPOCH + dt.timedelta(milliseconds=utc_ms)).astimezone(tz).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() * 1000)


@functools.lru_cache(maxsize=256)
def offset_segments(tz: str, lo_ms: int, hi_ms: int) -> tuple[OffsetSegment, ...]:
    """The offset step function of ``tz`` over ``[lo_ms, hi_ms)``; transitions found to the millisecond (kept for
    the next report over the same range: a year takes about 1,500 probes of the zone)."""
    info = zone(tz)
    segments = [OffsetSegment(lo_ms, _offset_ms(info, lo_ms))]
    probe = lo_ms
    while probe < hi_ms:
        step = min(probe + 6 * 3_600_000, hi_ms)  # no zone changes offset twice within 6 hours
        if _offset_ms(info, step) != segments[-1].offset_ms:
            a, b = probe, step  # offset(a) is the current one, offset(b) differs
            while b - a > 1:
                mid = (a + b) // 2
                if _offset_ms(info, mid) == segments[-1].offset_ms:
                    a = mid
                else:
                    b = mid
            segments.append(OffsetSegment(b, _offset_ms(info, b)))
        probe = step
    return tuple(segments)


def local_range_ms(start: dt.date, end: dt.date, tz: str) -> tuple[int, int]:
    """UTC epoch ms of local midnight starting ``start`` and local midnight after ``end`` (inclusive dates)."""
    if end < start:
        raise InvalidInput(f"the range ends ({end}) before it starts ({start})", field="to")
    info = zone(tz)

    def ms(day: dt.date) -> int:
        delta = dt.datetime.combine(day, dt.time(), info).astimezone(dt.UTC) - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1000

    return ms(start), ms(end + dt.timedelta(days=1))
