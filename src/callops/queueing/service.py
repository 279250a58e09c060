"""One interval in, one answer out: the functions the CLI, the HTTP API and the pages call.

``evaluate`` says what a given number of agents delivers; ``required_agents`` finds the fewest
agents for the targets, the agents to schedule after shrinkage, and what recovery time after
distressing calls costs in agents. Both pick Erlang A when a mean patience is given, else Erlang C.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from callops.errors import InvalidInput
from callops.queueing.erlang_a import erlang_a
from callops.queueing.erlang_c import erlang_c
from callops.queueing.metrics import QueueArrays
from callops.queueing.staffing import ServiceTargets, effective_aht, minimum_agents, scheduled_agents

__all__ = [
    "QueueMetrics",
    "StaffingArrays",
    "StaffingRequirement",
    "evaluate",
    "required_agents",
    "staff_intervals",
]

Model = Literal["erlang_c", "erlang_a"]


@dataclass(frozen=True, slots=True)
class QueueMetrics:
    """What ``agents`` deliver in one interval; see QueueArrays for each field's definition."""

    model: Model
    agents: int
    load: float
    p_wait: float
    p_abandon: float
    service_level: float
    service_level_answered: float
    asa_s: float
    mean_wait_s: float
    occupancy: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class StaffingRequirement:
    """The fewest ``agents`` meeting the targets, ``scheduled`` after shrinkage, and their metrics.

    With recovery time, ``effective_aht_s`` is the handle time the queue sees, and
    ``recovery_agents`` = ``agents`` - ``agents_without_recovery`` is what recovery costs.
    """

    agents: int
    scheduled: int
    metrics: QueueMetrics
    effective_aht_s: float
    agents_without_recovery: int
    recovery_agents: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class StaffingArrays:
    """``StaffingRequirement`` for many intervals: one array element per interval."""

    agents: NDArray[np.int64]
    scheduled: NDArray[np.int64]
    agents_without_recovery: NDArray[np.int64]
    effective_aht_s: NDArray[np.float64]
    metrics: QueueArrays


def evaluate(
    *,
    calls: float,
    interval_s: float,
    aht_s: float,
    agents: int,
    sl_time_s: float = 20.0,
    patience_s: float | None = None,
) -> QueueMetrics:
    """Metrics of one interval: ``calls`` offered in ``interval_s`` seconds to ``agents`` agents."""
    _check_scalars(calls=calls, interval_s=interval_s, aht_s=aht_s, agents=agents, patience_s=patience_s)
    if patience_s is None:
        arrays = erlang_c(calls=calls, interval_s=interval_s, aht_s=aht_s, agents=agents, sl_time_s=sl_time_s)
    else:
        arrays = erlang_a(
            calls=calls,
            interval_s=interval_s,
            aht_s=aht_s,
            agents=agents,
            patience_s=patience_s,
            sl_time_s=sl_time_s,
        )
    return _scalar(arrays, "erlang_c" if patience_s is None else "erlang_a")


def required_agents(
    *,
    calls: float,
    interval_s: float,
    aht_s: float,
    targets: ServiceTargets,
    patience_s: float | None = None,
    shrinkage: float = 0.0,
    distressing_share: float = 0.0,
    recovery_s: float = 0.0,
) -> StaffingRequirement:
    """The fewest agents for one interval, scheduled agents after shrinkage, and the cost of recovery time."""
    _check_scalars(calls=calls, interval_s=interval_s, aht_s=aht_s, agents=0, patience_s=patience_s)
    plan = staff_intervals(
        calls=calls,
        interval_s=interval_s,
        aht_s=aht_s,
        targets=targets,
        patience_s=patience_s,
        shrinkage=shrinkage,
        distressing_share=distressing_share,
        recovery_s=recovery_s,
    )
    agents, plain = int(plan.agents.reshape(-1)[0]), int(plan.agents_without_recovery.reshape(-1)[0])
    return StaffingRequirement(
        agents=agents,
        scheduled=int(plan.scheduled.reshape(-1)[0]),
        metrics=_scalar(plan.metrics, "erlang_c" if patience_s is None else "erlang_a"),
        effective_aht_s=float(plan.effective_aht_s.reshape(-1)[0]),
        agents_without_recovery=plain,
        recovery_agents=agents - plain,
    )


def staff_intervals(
    *,
    calls: ArrayLike,
    interval_s: ArrayLike,
    aht_s: ArrayLike,
    targets: ServiceTargets,
    patience_s: ArrayLike | None = None,
    shrinkage: float = 0.0,
    distressing_share: float = 0.0,
    recovery_s: float = 0.0,
) -> StaffingArrays:
    """``required_agents`` for many intervals at once (arrays broadcast): what a staffing plan needs."""
    handle_s = effective_aht(aht_s, distressing_share=distressing_share, recovery_s=recovery_s)
    plain = minimum_agents(
        calls=calls, interval_s=interval_s, aht_s=aht_s, targets=targets, patience_s=patience_s
    )
    agents = (
        plain
        if distressing_share * recovery_s == 0
        else minimum_agents(
            calls=calls, interval_s=interval_s, aht_s=handle_s, targets=targets, patience_s=patience_s
        )
    )
    if patience_s is None:
        metrics = erlang_c(
            calls=calls, interval_s=interval_s, aht_s=handle_s, agents=agents, sl_time_s=targets.sl_time_s
        )
    else:
        metrics = erlang_a(
            calls=calls,
            interval_s=interval_s,
            aht_s=handle_s,
            agents=agents,
            patience_s=patience_s,
            sl_time_s=targets.sl_time_s,
        )
    return StaffingArrays(
        agents=agents,
        scheduled=scheduled_agents(agents, shrinkage),
        agents_without_recovery=plain,
        effective_aht_s=np.broadcast_to(handle_s, agents.shape).astype(np.float64),
        metrics=metrics,
    )


def _check_scalars(
    *, calls: float, interval_s: float, aht_s: float, agents: int, patience_s: float | None
) -> None:
    checks = [
        (math.isfinite(calls) and calls >= 0, "calls", "must be a finite number, 0 or more"),
        (math.isfinite(interval_s) and interval_s > 0, "interval_s", "must be more than 0 seconds"),
        (math.isfinite(aht_s) and aht_s > 0, "aht_s", "must be more than 0 seconds"),
        (agents >= 0 and float(agents).is_integer(), "agents", "must be a whole number, 0 or more"),
        (
            patience_s is None or (math.isfinite(patience_s) and patience_s > 0),
            "patience_s",
            "must be more than 0 seconds",
        ),
    ]
    for ok, name, reason in checks:
        if not ok:
            raise InvalidInput(reason, field=name)


def _scalar(arrays: QueueArrays, model: Model) -> QueueMetrics:
    def one(values: NDArray[np.float64] | NDArray[np.int64]) -> float:
        return float(values.reshape(-1)[0])

    return QueueMetrics(
        model=model,
        agents=int(one(arrays.agents)),
        load=one(arrays.load),
        p_wait=one(arrays.p_wait),
        p_abandon=one(arrays.p_abandon),
        service_level=one(arrays.service_level),
        service_level_answered=one(arrays.service_level_answered),
        asa_s=one(arrays.asa_s),
        mean_wait_s=one(arrays.mean_wait_s),
        occupancy=one(arrays.occupancy),
    )
