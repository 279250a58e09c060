"""The inverse problem: the fewest agents that meet service targets, for many intervals at once.

Every target is monotone in the number of agents N (service level rises; ASA, abandon rate and
occupancy fall), so their conjunction holds from some N on. The search starts from square-root
staffing, N = A + 2 sqrt(A), gallops up until the targets hold, then bisects down to the exact
minimum, all intervals together. Erlang C also needs N > A (a stable queue).

Shrinkage (breaks, training, absence) turns required agents into scheduled agents:
``scheduled = ceil(agents / (1 - shrinkage))``. Recovery after distressing calls (seed 003) keeps
an agent from the next call, so it is added to the time an agent is occupied per call:
``effective AHT = AHT + share of distressing calls x recovery seconds``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from callops.errors import Infeasible, InvalidInput
from callops.queueing.erlang_a import erlang_a_load
from callops.queueing.erlang_c import erlang_c_load
from callops.queueing.metrics import QueueArrays, checked, offered_load

__all__ = ["ServiceTargets", "check_recovery", "minimum_agents", "scheduled_agents", "effective_aht"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_Predicate = Callable[[FloatArray, NDArray[np.intp]], NDArray[np.bool_]]

_SLACK = 1e-12  # a computed value this close to its target meets it (rounding, not service)
_MAX_EXTRA_AGENTS = 1_000_000  # above the load, plus 100 sqrt(load): far beyond any reachable target


@dataclass(frozen=True, slots=True)
class ServiceTargets:
    """What staffing must deliver; ``None`` leaves a target out.

    ``service_level``: share of offered calls answered within ``sl_time_s`` seconds (at least);
    ``asa_s``: mean wait of answered calls (at most); ``max_abandon``: share of offered calls that
    hang up while waiting (at most; Erlang A only); ``max_occupancy``: share of agent time busy.
    """

    service_level: float | None = 0.8
    sl_time_s: float = 20.0
    asa_s: float | None = None
    max_abandon: float | None = None
    max_occupancy: float | None = None

    def __post_init__(self) -> None:
        checks = [
            (
                self.service_level is None or 0 < self.service_level < 1,
                "service_level",
                "must be between 0 and 1",
            ),
            (math.isfinite(self.sl_time_s) and self.sl_time_s >= 0, "sl_time_s", "must be 0 or more seconds"),
            (self.asa_s is None or 0 < self.asa_s < math.inf, "asa_s", "must be more than 0 seconds"),
            (self.max_abandon is None or 0 < self.max_abandon < 1, "max_abandon", "must be between 0 and 1"),
            (self.max_occupancy is None or 0 < self.max_occupancy <= 1, "max_occupancy", "must be in (0, 1]"),
        ]
        for ok, name, reason in checks:
            if not ok:
                raise InvalidInput(reason, field=name)
        if all(t is None for t in (self.service_level, self.asa_s, self.max_abandon, self.max_occupancy)):
            raise InvalidInput("give at least one target: service_level, asa_s, max_abandon or max_occupancy",
                               field="service_level")


def check_recovery(distressing_share: float, recovery_s: float) -> None:
    """A share of distressing calls and the recovery time after one come together: both or neither."""
    if not 0 <= distressing_share <= 1:
        raise InvalidInput("must be between 0 and 1", field="distressing_share")
    if not (math.isfinite(recovery_s) and recovery_s >= 0):
        raise InvalidInput("must be 0 or more seconds", field="recovery_s")
    if (distressing_share > 0) != (recovery_s > 0):
        raise InvalidInput("give both distressing_share and recovery_s (or neither)", field="recovery_s")


def effective_aht(aht_s: ArrayLike, *, distressing_share: float, recovery_s: float) -> FloatArray:
    """Seconds an agent is kept per call when a share of calls is followed by recovery time."""
    check_recovery(distressing_share, recovery_s)
    return np.asarray(
        checked("aht_s", aht_s, positive=True) + distressing_share * recovery_s, dtype=np.float64
    )


def scheduled_agents(agents: ArrayLike, shrinkage: float) -> IntArray:
    """Agents to schedule so that ``agents`` are on the phones after ``shrinkage`` (a share in [0, 1))."""
    if not 0 <= shrinkage < 1:
        raise InvalidInput("must be in [0, 1)", field="shrinkage")
    needed = checked("agents", agents, integer=True)
    return np.ceil(needed / (1.0 - shrinkage) - 1e-9).astype(np.int64)


def minimum_agents(
    *,
    calls: ArrayLike,
    interval_s: ArrayLike,
    aht_s: ArrayLike,
    targets: ServiceTargets,
    patience_s: ArrayLike | None = None,
) -> IntArray:
    """The fewest agents meeting every target, per interval (Erlang A when ``patience_s`` is given).

    Intervals without calls need no agent. Raises Infeasible if the search runs past a million
    agents (plus 100 sqrt(load)) above the load (a target that rounding makes unreachable).
    """
    load = offered_load(calls, interval_s, aht_s)
    patience = None if patience_s is None else checked("patience_s", patience_s, positive=True)
    if patience is None and targets.max_abandon is not None:
        raise InvalidInput("needs a patience (Erlang A); Erlang C callers never hang up", field="max_abandon")
    shape = np.broadcast_shapes(
        load.shape, np.shape(aht_s), np.shape(patience if patience is not None else 1.0)
    )
    a = np.broadcast_to(load, shape).ravel()
    aht = np.broadcast_to(np.asarray(aht_s, dtype=np.float64), shape).ravel()
    pat = None if patience is None else np.broadcast_to(patience, shape).ravel()

    def meets(agents: FloatArray, rows: NDArray[np.intp]) -> NDArray[np.bool_]:
        m = _evaluate(agents, a[rows], aht[rows], None if pat is None else pat[rows], targets)
        return _meets(m, targets, erlang_c=pat is None)

    out = np.zeros(a.shape, dtype=np.int64)
    rows = np.flatnonzero(a > 0)
    if rows.size:
        low = np.zeros(rows.size)  # known to fail: no agent serves nobody
        if pat is None:
            low = np.floor(a[rows])  # Erlang C needs N > A
            if targets.max_occupancy is not None:
                low = np.maximum(low, np.ceil(a[rows] / targets.max_occupancy - 1e-9) - 1.0)
        high = np.maximum(np.ceil(a[rows] + 2.0 * np.sqrt(a[rows])) + 1.0, low + 1.0)
        low, high = _gallop(meets, rows, low, high, a[rows])
        out[rows] = _bisect(meets, rows, low, high).astype(np.int64)
    return out.reshape(shape)


def _evaluate(
    agents: FloatArray,
    load: FloatArray,
    aht: FloatArray,
    patience: FloatArray | None,
    targets: ServiceTargets,
) -> QueueArrays:
    if patience is None:
        return erlang_c_load(agents=agents, load=load, aht_s=aht, sl_time_s=targets.sl_time_s)
    return erlang_a_load(
        agents=agents,
        load=load,
        aht_s=aht,
        patience_s=patience,
        sl_time_s=targets.sl_time_s,
        with_asa=targets.asa_s is not None,
    )


def _meets(m: QueueArrays, targets: ServiceTargets, *, erlang_c: bool) -> NDArray[np.bool_]:
    ok = m.agents > m.load if erlang_c else np.ones(m.load.shape, dtype=bool)
    if targets.service_level is not None:
        ok &= m.service_level >= targets.service_level - _SLACK
    if targets.asa_s is not None:
        ok &= m.asa_s <= targets.asa_s * (1.0 + _SLACK)
    if targets.max_abandon is not None:
        ok &= m.p_abandon <= targets.max_abandon + _SLACK
    if targets.max_occupancy is not None:
        ok &= m.occupancy <= targets.max_occupancy + _SLACK
    return ok


def _gallop(
    meets: _Predicate, rows: NDArray[np.intp], low: FloatArray, high: FloatArray, load: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Raise ``high`` (doubling the step) until the targets hold there; ``low`` follows the failures."""
    step = np.maximum(np.ceil(np.sqrt(load)), 1.0)
    pending = np.flatnonzero(~meets(high, rows))
    while pending.size:
        if np.any(high[pending] - load[pending] > _MAX_EXTRA_AGENTS + 100.0 * np.sqrt(load[pending])):
            raise Infeasible("no number of agents meets the targets (search passed a million agents)")
        low[pending] = high[pending]
        high[pending] += step[pending]
        step[pending] *= 2.0
        pending = pending[~meets(high[pending], rows[pending])]
    return low, high


def _bisect(meets: _Predicate, rows: NDArray[np.intp], low: FloatArray, high: FloatArray) -> FloatArray:
    """Shrink (low fails, high meets] to one agent, for every row at once."""
    open_ = np.flatnonzero(high - low > 1.0)
    while open_.size:
        mid = np.floor((low[open_] + high[open_]) / 2.0)
        ok = meets(mid, rows[open_])
        high[open_] = np.where(ok, mid, high[open_])
        low[open_] = np.where(ok, low[open_], mid)
        open_ = open_[high[open_] - low[open_] > 1.0]
    return high
