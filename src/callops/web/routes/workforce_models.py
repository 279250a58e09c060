"""HTTP bodies of the workforce API (pydantic): the options of ``callops erlang``, ``staffing``, ``plan`` and
``simulate --plan``.

This module has no ``router``; route discovery skips it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from callops.queueing import ServiceTargets
from callops.scheduling import StaffingTargets
from callops.services.workforce import HistorySpec
from callops.web.routes.simulation import MAX_REPLICATIONS

__all__ = ["ErlangIn", "ErlangOut", "ForecastIn", "HistoryIn", "PlanIn", "PlanSimulationIn", "StaffingIn",
           "StaffingOut"]

_STRICT = ConfigDict(extra="forbid")
_DAY_S = 86_400.0  # bounds that keep the queueing formulas finite (issue 17)


class _Interval(BaseModel):
    model_config = _STRICT

    calls: float = Field(ge=0, le=1_000_000, description="calls offered in the interval")
    interval_min: int = Field(default=30, gt=0, le=1440, description="interval length, minutes")
    aht_s: float = Field(ge=0.1, le=_DAY_S, description="average handle time, seconds")
    sl_time_s: float = Field(default=20.0, ge=0, le=_DAY_S, description="service-level threshold, seconds")
    patience_s: float | None = Field(default=None, ge=0.1, le=_DAY_S, description="mean patience, seconds: Erlang A")

    @property
    def interval_s(self) -> float:
        return self.interval_min * 60.0


class ErlangIn(_Interval):
    """What ``agents`` deliver (``callops erlang``)."""

    agents: int = Field(ge=0, le=100_000)


class StaffingIn(_Interval):
    """The fewest agents for the targets (``callops staffing``)."""

    service_level: float | None = Field(default=None, gt=0, lt=1)
    asa_s: float | None = Field(default=None, gt=0, le=_DAY_S)
    max_abandon: float | None = Field(default=None, gt=0, lt=1)
    max_occupancy: float | None = Field(default=None, gt=0, le=1)
    shrinkage: float = Field(default=0.0, ge=0, lt=1)
    distressing_share: float = Field(default=0.0, ge=0, le=1)
    recovery_s: float = Field(default=0.0, ge=0, le=_DAY_S)

    def targets(self) -> ServiceTargets:
        return ServiceTargets(service_level=self.service_level, sl_time_s=self.sl_time_s, asa_s=self.asa_s,
                              max_abandon=self.max_abandon, max_occupancy=self.max_occupancy)


class HistoryIn(BaseModel):
    """Which store history to forecast from (as ``--queue``, ``--history-from``, ``--history-to``)."""

    model_config = _STRICT

    queue: str | None = None
    history_from: dt.date
    history_to: dt.date
    horizon: str = Field(default="14d", description="days after the history: 14d, 2w")
    model: str = "auto"
    holidays: str = Field(default="site", description="site (the queue's site calendar), CN, US, IL or none")
    overrides: list[str] = Field(default_factory=list, description="START,END,FACTOR or START,END,=VALUE")

    def spec(self) -> HistorySpec:
        from callops.forecast import parse_horizon

        return HistorySpec(start=self.history_from, end=self.history_to, horizon_days=parse_horizon(self.horizon),
                           queue=self.queue or None, model=self.model,
                           holidays=None if self.holidays.lower() == "none" else self.holidays.upper(),
                           overrides=tuple(self.overrides))


class ForecastIn(HistoryIn):
    """A forecast to make from history and save under ``name``."""

    name: str = Field(min_length=1, max_length=120)
    grain_min: int = Field(default=30, description="5, 15, 30 or 60")
    aht_s: float | None = Field(default=None, gt=0, description="AHT for every interval (default: from history)")


class PlanIn(BaseModel):
    """A plan to build and save: from a saved ``forecast`` (NAME or NAME@V) or from ``history``."""

    model_config = _STRICT

    name: str = Field(min_length=1, max_length=120)
    forecast: str | None = None
    history: HistoryIn | None = None
    interval_min: int = 30
    service_level: float = Field(default=0.8, gt=0, lt=1)
    sl_time_s: float = Field(default=20.0, ge=0)
    shrinkage: float = Field(default=0.0, ge=0, lt=1)
    patience_s: float | None = Field(default=None, gt=0)
    asa_s: float | None = Field(default=None, gt=0, le=_DAY_S)
    max_abandon: float | None = Field(default=None, gt=0, lt=1)
    max_occupancy: float | None = Field(default=None, gt=0, le=1)
    aht_s: float | None = Field(default=None, gt=0)
    distressing_share: float = Field(default=0.0, ge=0, le=1)
    recovery_s: float = Field(default=0.0, ge=0, le=_DAY_S)
    note: str | None = None

    def targets(self) -> StaffingTargets:
        return StaffingTargets(interval_min=self.interval_min, service_level=self.service_level,
                               sl_time_s=self.sl_time_s, shrinkage=self.shrinkage, patience_s=self.patience_s,
                               max_occupancy=self.max_occupancy, asa_s=self.asa_s, max_abandon=self.max_abandon,
                               distressing_share=self.distressing_share, recovery_s=self.recovery_s)


class PlanSimulationIn(BaseModel):
    """A saved plan checked by simulation (``callops simulate --plan NAME[@VERSION]``)."""

    model_config = _STRICT

    version: int | None = Field(default=None, ge=1, description="default: the newest version")
    replications: int = Field(default=10, ge=2, le=MAX_REPLICATIONS)
    seed: int = Field(default=1, ge=0, le=2**63 - 1)
    patience_s: float | None = Field(default=None, gt=0, description="mean patience, seconds; default: the plan's")


class ErlangOut(BaseModel):
    """What ``agents`` deliver (the keys of ``callops erlang --json``); the last three only with a patience."""

    p_wait: float = Field(description="share of calls that wait")
    service_level: float = Field(description="share of offered calls answered within sl_time_s")
    asa_s: float | None = Field(description="mean wait of answered calls, seconds (null: unbounded)")
    occupancy: float = Field(description="share of agent time busy")
    p_abandon: float | None = Field(default=None, description="share of offered calls that hang up (Erlang A)")
    service_level_answered: float | None = Field(default=None, description="answered in time / answered (Erlang A)")
    mean_wait_s: float | None = Field(default=None, description="mean wait of all calls, seconds (Erlang A)")


class StaffingOut(BaseModel):
    """The fewest agents for the targets (the keys of ``callops staffing --json``); recovery keys with recovery."""

    agents: int = Field(description="agents on the phones")
    scheduled: int = Field(description="agents to schedule after shrinkage")
    service_level: float
    asa_s: float | None
    p_wait: float
    p_abandon: float
    occupancy: float
    effective_aht_s: float | None = Field(default=None, description="handle time plus recovery, seconds")
    agents_without_recovery: int | None = None
    recovery_agents: int | None = Field(default=None, description="agents the recovery time costs")



# --- answers of forecasts and plans (declared in the order the services write them, so the JSON is the CLI's) ---


class EstimateOut(BaseModel):
    """A metric over replications: the mean and its Student-t 95 % interval."""

    mean: int | float
    ci95: list[int | float] = Field(description="[low, high]")


class ForecastRunOut(BaseModel):
    """A forecast from history that is not saved: history, forecast rows with their band, the backtest report."""

    queue: str | None
    tz: str
    grain_min: int
    history: list[dict[str, Any]] = Field(description="interval_start (local, with offset), calls, aht_s")
    forecast: list[dict[str, Any]] = Field(description="interval_start, forecast, lo, hi, ... per interval")
    report: dict[str, Any] = Field(description="the model chosen and its backtest accuracy (WAPE, MASE)")


class ForecastOut(BaseModel):
    """A saved forecast version (``callops plan forecast ... --json``)."""

    name: str
    version: int
    queue: str | None
    grain_min: int
    model: str
    tz: str | None
    created_at: str | None
    total_calls: int | float
    accuracy: dict[str, Any] | None = Field(description="the backtest report")
    overrides: list[Any]
    points: list[dict[str, Any]] = Field(description="interval_start, forecast, lo, hi, aht_s per interval")


class ForecastEntryOut(BaseModel):
    """One saved forecast version in the list."""

    name: str
    version: int
    created_at: str
    queue: str | None
    grain_min: int
    model: str


class PlanOut(BaseModel):
    """A saved staffing plan with its targets, totals and every interval (``callops plan show --json``)."""

    name: str
    version: int
    queue: str | None
    created_at: str | None
    created_by: str | None
    forecast_id: int | None
    note: str | None
    targets: dict[str, Any]
    totals: dict[str, Any] = Field(description="calls, agent_hours, required_agent_hours, peaks, recovery hours")
    intervals: list[dict[str, Any]] = Field(
        description="interval_start, calls, aht_s, agents, scheduled, service_level, asa_s, p_abandon, occupancy, "
                    "recovery_agents per interval")


class PlanEntryOut(BaseModel):
    """One saved plan version in the list."""

    name: str
    version: int
    created_at: str
    queue: str | None


class PlanComparisonOut(BaseModel):
    """Plan ``a`` against plan ``b``: each one's totals, the deltas, scheduled agents per interval."""

    a: dict[str, Any] = Field(description="name, version, totals")
    b: dict[str, Any] = Field(description="name, version, totals")
    agent_hours_delta: int | float
    peak_delta: int
    changed_intervals: int
    intervals: list[dict[str, Any]]


class PlanCheckOut(BaseModel):
    """A plan simulated interval by interval (``callops simulate --plan ... --json``): the simulator's metrics
    (each {mean, ci95}), the outcome means, then the plan's target and the intervals that fall short."""

    model_config = ConfigDict(extra="allow")

    service_level: EstimateOut
    p_abandon: EstimateOut
    asa_s: EstimateOut
    p_wait: EstimateOut
    occupancy: EstimateOut
    offered_mean: int | float
    timeout_mean: int | float | None = None
    callback_mean: int | float | None = None
    ivr_self_service_mean: int | float | None = None
    ivr_hangup_mean: int | float | None = None
    replications: int
    scenario: str
    plan: str = Field(description="NAME@VERSION")
    target_service_level: int | float
    intervals_short: int
    intervals_clearly_short: int
    intervals_with_calls: int
    intervals: list[dict[str, Any]]
