"""The input of every model: a plain series of interval starts (local wall-clock time) and call counts.

Timestamps without a zone are local and stay naive; timestamps with a zone are turned into the wall-clock
time of that zone (one fixed UTC offset, or an IANA zone given by name) and turned back on the way out, so
a forecast comes back in the form its history came in.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from callops.errors import InvalidInput

__all__ = [
    "DAY_MIN",
    "GRAINS_MIN",
    "History",
    "history_from_datetimes",
    "parse_grain",
    "aggregate",
    "to_datetimes",
]

DAY_MIN = 1440
GRAINS_MIN = (5, 15, 30, 60, DAY_MIN)
_MINUTE = np.timedelta64(1, "m")


@dataclass(frozen=True, slots=True)
class History:
    """Calls per interval; ``starts`` are sorted, unique local wall-clock times (datetime64[m]).

    Missing intervals are simply absent. ``tz`` is the zone the timestamps came in (None: naive).
    """

    starts: np.ndarray
    calls: np.ndarray
    tz: dt.tzinfo | None = None

    def __post_init__(self) -> None:
        if self.starts.shape != self.calls.shape or self.starts.ndim != 1:
            raise InvalidInput("interval starts and calls differ in length", field="calls")
        if len(self.starts) and np.any(np.diff(self.starts) <= np.timedelta64(0, "m")):
            raise InvalidInput("interval starts must be sorted and unique", field="interval_start")
        if np.any(~np.isfinite(self.calls)) or np.any(self.calls < 0):
            raise InvalidInput("calls must be finite and not negative", field="calls")


def parse_grain(text: str) -> int:
    """'5m', '15min', '1h', '60', 'day', '1d' -> minutes (one of 5, 15, 30, 60, 1440)."""
    value = text.strip().lower()
    units = {"d": DAY_MIN, "day": DAY_MIN, "h": 60, "hour": 60, "m": 1, "min": 1}
    minutes: int | None = None
    if value in ("day", "d", "daily"):
        minutes = DAY_MIN
    else:
        number = value.rstrip("abcdefghijklmnopqrstuvwxyz")
        unit = value[len(number) :] or "m"
        if number.isdigit() and unit in units:
            minutes = int(number) * units[unit]
    if minutes not in GRAINS_MIN:
        raise InvalidInput(f"{text!r} is not a grain; use 5m, 15m, 30m, 60m or day", field="grain")
    return int(minutes)


def _local_wall_time(value: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(zone).replace(tzinfo=None)


def history_from_datetimes(
    starts: Sequence[dt.datetime], calls: Sequence[float], *, tz: str | None = None
) -> History:
    """A History from Python datetimes, all naive or all aware.

    Aware timestamps are read in ``tz`` (an IANA name) when given, else in their own UTC offset, which
    must then be the same for every row (pass ``tz`` for a zone with daylight saving time).
    """
    if len(starts) != len(calls):
        raise InvalidInput("interval starts and calls differ in length", field="calls")
    aware = [s.tzinfo is not None and s.utcoffset() is not None for s in starts]
    zone: dt.tzinfo | None = None
    if any(aware):
        if not all(aware):
            raise InvalidInput("some timestamps have a zone and some do not", field="interval_start")
        if tz is not None:
            try:
                zone = zoneinfo.ZoneInfo(tz)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long for a file
                raise InvalidInput(f"{tz!r} is not a time zone", field="tz") from exc
        else:
            offsets = {s.utcoffset() for s in starts}
            if len(offsets) > 1:
                raise InvalidInput(
                    "timestamps carry different UTC offsets (daylight saving time?); "
                    "name the zone, e.g. --tz Asia/Shanghai",
                    field="interval_start",
                )
            offset = offsets.pop()
            assert offset is not None
            zone = dt.timezone(offset)
    local = np.array([_local_wall_time(s, zone) for s in starts], dtype="datetime64[m]")
    values = np.asarray(calls, dtype=float)
    order = np.argsort(local, kind="stable")
    local, values = local[order], values[order]
    if len(local) > 1:
        same = np.flatnonzero(np.diff(local) == np.timedelta64(0, "m"))
        if len(same):
            raise InvalidInput(f"interval {local[same[0]]} appears twice", field="interval_start")
    return History(starts=local, calls=values, tz=zone)


def to_datetimes(starts: np.ndarray, tz: dt.tzinfo | None) -> list[dt.datetime]:
    """Local wall-clock datetime64 values back to datetimes: naive for None, else aware in ``tz``."""
    out: list[dt.datetime] = []
    for value in starts.astype("datetime64[m]").tolist():
        assert isinstance(value, dt.datetime)
        out.append(value if tz is None else value.replace(tzinfo=tz))
    return out


def _step_min(starts: np.ndarray) -> int:
    """The data's interval length: gcd of times of day and gaps (0 when one row at midnight tells nothing)."""
    minutes = starts.astype("datetime64[m]").astype(np.int64)
    step = 0
    for value in np.unique(np.concatenate([minutes % DAY_MIN, np.diff(minutes)])):
        step = math.gcd(step, int(value))
    return min(step, DAY_MIN)


def aggregate(history: History, grain_min: int) -> History:
    """Sums calls into intervals of ``grain_min`` minutes (1440: whole days)."""
    if grain_min not in GRAINS_MIN:
        raise InvalidInput(f"grain {grain_min} min is not one of {GRAINS_MIN}", field="grain")
    if len(history.starts) == 0:
        raise InvalidInput("the series has no rows", field="calls")
    step = _step_min(history.starts)
    if step and grain_min % step and grain_min != DAY_MIN:
        raise InvalidInput(
            f"the series has {step}-minute intervals; the grain {grain_min} min is not a multiple",
            field="grain",
        )
    minutes = history.starts.astype("datetime64[m]").astype(np.int64)
    floored = (minutes // grain_min) * grain_min
    keys, inverse = np.unique(floored, return_inverse=True)
    sums = np.bincount(inverse, weights=history.calls, minlength=len(keys))
    return History(starts=keys.astype("datetime64[m]"), calls=sums, tz=history.tz)
