"""Building a staffing plan: forecast calls and handle time per interval x targets -> agents per interval.

One vectorised call of ``callops.queueing.staff_intervals`` sizes every interval of the plan: the fewest
agents meeting the targets (Erlang C, or Erlang A when the targets carry a patience), the agents to
schedule after shrinkage, and what that staffing is expected to deliver. Recovery time after distressing
calls (seed 003) is part of the handle time the queue sees; ``recovery_agents`` says what it costs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from callops.errors import InvalidInput
from callops.queueing import ServiceTargets, minimum_agents, staff_intervals
from callops.scheduling.staffing_plan import PlanInterval, StaffingPlan, StaffingTargets

__all__ = ["build_plan", "recovery_agents", "service_targets"]


def service_targets(targets: StaffingTargets) -> ServiceTargets:
    """The queueing targets inside a plan's targets (service level at a time, ASA, abandon, occupancy)."""
    return ServiceTargets(
        service_level=targets.service_level,
        sl_time_s=targets.sl_time_s,
        asa_s=targets.asa_s,
        max_abandon=targets.max_abandon,
        max_occupancy=targets.max_occupancy,
    )


def build_plan(
    *,
    name: str,
    starts: Sequence[dt.datetime],
    calls: ArrayLike,
    aht_s: ArrayLike,
    targets: StaffingTargets,
    queue: str | None = None,
    note: str | None = None,
    created_by: str | None = None,
    forecast_id: int | None = None,
) -> StaffingPlan:
    """The staffing plan ``name`` (version 0, unsaved) for calls and handle time per interval start.

    ``starts`` are timezone-aware and in time order; ``calls`` and ``aht_s`` have one value per start
    (``aht_s`` may be one number for all). An interval without calls needs no agent.
    """
    if not name.strip():
        raise InvalidInput("a plan needs a name", field="name")
    offered = np.asarray(calls, dtype=np.float64)
    handle = np.broadcast_to(np.asarray(aht_s, dtype=np.float64), offered.shape)
    if offered.ndim != 1 or offered.shape[0] != len(starts):
        raise InvalidInput(f"{len(starts)} interval starts but {offered.size} call counts", field="calls")
    if any(s.tzinfo is None for s in starts):
        raise InvalidInput("interval starts need a time zone", field="interval_start")
    staffed = staff_intervals(
        calls=offered,
        interval_s=targets.interval_min * 60.0,
        aht_s=handle,
        targets=service_targets(targets),
        patience_s=targets.patience_s,
        shrinkage=targets.shrinkage,
        distressing_share=targets.distressing_share,
        recovery_s=targets.recovery_s,
    )
    m = staffed.metrics
    intervals = tuple(
        PlanInterval(
            start_at=start,
            calls=float(offered[k]),
            aht_s=float(handle[k]),
            agents=int(staffed.agents[k]),
            scheduled=int(staffed.scheduled[k]),
            service_level=float(m.service_level[k]),
            asa_s=float(m.asa_s[k]),
            p_abandon=float(m.p_abandon[k]),
            occupancy=float(m.occupancy[k]),
        )
        for k, start in enumerate(starts)
    )
    return StaffingPlan(
        name=name.strip(),
        targets=targets,
        intervals=intervals,
        queue=queue,
        note=note,
        created_by=created_by,
        forecast_id=forecast_id,
    )


def recovery_agents(plan: StaffingPlan) -> NDArray[np.int64]:
    """Per interval, the agents on the phones that recovery time costs: agents minus agents without it.

    Recomputed from the plan's calls and handle time, so it works on a plan loaded from the store.
    """
    targets = plan.targets
    if not plan.intervals or targets.distressing_share * targets.recovery_s == 0:
        return np.zeros(len(plan.intervals), dtype=np.int64)
    calls = np.array([i.calls for i in plan.intervals], dtype=np.float64)
    aht = np.array([i.aht_s for i in plan.intervals], dtype=np.float64)
    agents = np.array([i.agents for i in plan.intervals], dtype=np.int64)
    plain = minimum_agents(
        calls=calls,
        interval_s=targets.interval_min * 60.0,
        aht_s=aht,
        targets=service_targets(targets),
        patience_s=targets.patience_s,
    )
    return np.asarray(agents - plain, dtype=np.int64)
