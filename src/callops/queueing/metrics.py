"""What a queueing model returns for many intervals at once, and the checks on its inputs.

Times are seconds. ``load`` is the offered load in Erlangs, calls x AHT / interval length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from callops.errors import InvalidInput

__all__ = ["QueueArrays", "offered_load", "checked"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class QueueArrays:
    """Per-interval results of Erlang C or Erlang A, one array element per interval.

    ``service_level`` is answered within the threshold over offered calls; ``service_level_answered``
    divides by answered calls instead. ``asa_s`` is the mean wait of answered calls, ``mean_wait_s``
    the mean time in queue of all calls (abandoned ones until they hang up). Erlang C has no
    abandonment, so both pairs coincide and ``p_abandon`` is 0. With too few agents for the load,
    Erlang C gives ``p_wait`` 1, service level 0 and an infinite ``asa_s``.
    """

    agents: NDArray[np.int64]
    load: FloatArray
    p_wait: FloatArray
    p_abandon: FloatArray
    service_level: FloatArray
    service_level_answered: FloatArray
    asa_s: FloatArray
    mean_wait_s: FloatArray
    occupancy: FloatArray


def checked(name: str, values: ArrayLike, *, positive: bool = False, integer: bool = False) -> FloatArray:
    """``values`` as a float array; InvalidInput naming ``name`` if any is negative or not finite."""
    array = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise InvalidInput("must be a finite number", field=name)
    if positive and np.any(array <= 0):
        raise InvalidInput("must be greater than 0", field=name)
    if np.any(array < 0):
        raise InvalidInput("must not be negative", field=name)
    if integer and np.any(array != np.round(array)):
        raise InvalidInput("must be a whole number", field=name)
    return array


def offered_load(calls: ArrayLike, interval_s: ArrayLike, aht_s: ArrayLike) -> FloatArray:
    """Offered load in Erlangs: calls per interval x average handle time / interval length."""
    c = checked("calls", calls)
    i = checked("interval_s", interval_s, positive=True)
    h = checked("aht_s", aht_s, positive=True)
    return np.asarray(c * h / i, dtype=np.float64)
