"""Manual overrides for known events and campaigns, applied to a forecast and kept with it.

``START,END,FACTOR`` multiplies the forecast (and its bands) over local times [START, END);
``START,END,=VALUE`` sets it to VALUE calls per interval (bands scaled by the same ratio, or collapsed to
VALUE where the forecast was 0). Later overrides apply on top of earlier ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np

from callops.errors import InvalidInput
from callops.forecast.result import Band, Forecast, Override

__all__ = ["parse_override", "apply_overrides"]


def _moment(text: str, tz: dt.tzinfo | None) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not a date or ISO date-time", field="override") from exc
    if value.tzinfo is not None:
        value = value.astimezone(tz).replace(tzinfo=None) if tz is not None else value.replace(tzinfo=None)
    return value


def parse_override(text: str, tz: dt.tzinfo | None = None) -> Override:
    """'2024-10-01,2024-10-08,0.5' or '2024-10-01T09:00,2024-10-01T12:00,=40' (times local to the series)."""
    parts = text.split(",")
    if len(parts) != 3:
        raise InvalidInput(f"{text!r} is not START,END,FACTOR or START,END,=VALUE", field="override")
    start, end, amount = (_moment(parts[0], tz), _moment(parts[1], tz), parts[2].strip())
    absolute = amount.startswith("=")
    try:
        number = float(amount.lstrip("=*x"))
    except ValueError as exc:
        raise InvalidInput(f"{amount!r} is not a number", field="override") from exc
    return Override(
        start=start, end=end, factor=None if absolute else number, value=number if absolute else None
    )


def apply_overrides(forecast: Forecast, overrides: Sequence[Override]) -> Forecast:
    mean = forecast.mean.astype(float).copy()
    ratio = np.ones_like(mean)
    collapse = np.full(mean.shape, np.nan)
    for override in overrides:
        inside = (forecast.starts >= np.datetime64(override.start, "m")) & (
            forecast.starts < np.datetime64(override.end, "m")
        )
        if override.factor is not None:
            mean[inside] *= override.factor
            ratio[inside] *= override.factor
        else:
            assert override.value is not None
            positive = inside & (mean > 0)
            ratio[positive] *= override.value / mean[positive]
            zero = inside & ~(mean > 0)
            collapse[zero] = override.value
            mean[inside] = override.value
    bands = tuple(
        Band(
            level=b.level,
            lo=np.where(np.isnan(collapse), b.lo * ratio, collapse),
            hi=np.where(np.isnan(collapse), b.hi * ratio, collapse),
        )
        for b in forecast.bands
    )
    return dataclasses.replace(forecast, mean=mean, bands=bands, overrides=(*forecast.overrides, *overrides))
