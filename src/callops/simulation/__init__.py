"""The discrete-event simulator: drives the routing core on a virtual clock, with replications and CIs."""

from callops.simulation.distributions import Distribution, Stream
from callops.simulation.engine import QueueStats, RunStats, simulate
from callops.simulation.from_plan import IntervalCheck, compare_with_plan, plan_scenario
from callops.simulation.outbound import OUTBOUND_PACINGS, Amd, OutboundCampaign, OutboundStats
from callops.simulation.replay import (
    Capacity,
    HourlyMetrics,
    actual_by_hour,
    calibrate_agents,
    fit_day,
    mean_absolute_errors,
    simulate_by_hour,
    waited_share_by_hour,
)
from callops.simulation.replications import (
    METRICS,
    OUTBOUND_COUNTS,
    OUTBOUND_METRICS,
    OUTCOME_COUNTS,
    QUEUE_METRICS,
    Estimate,
    OutboundResult,
    QueueResult,
    Result,
    estimate,
    run_scenario,
    scenario_to_records,
)
from callops.simulation.scenario import AgentGroup, Break, QueueBehaviour, Scenario, parse_scenario
from callops.simulation.single_queue import single_queue

__all__ = [
    "METRICS",
    "OUTBOUND_COUNTS",
    "OUTBOUND_METRICS",
    "OUTBOUND_PACINGS",
    "Amd",
    "OutboundCampaign",
    "OutboundResult",
    "OutboundStats",
    "OUTCOME_COUNTS",
    "QUEUE_METRICS",
    "AgentGroup",
    "Break",
    "Capacity",
    "Distribution",
    "Estimate",
    "IntervalCheck",
    "HourlyMetrics",
    "QueueBehaviour",
    "QueueResult",
    "QueueStats",
    "Result",
    "RunStats",
    "Scenario",
    "Stream",
    "actual_by_hour",
    "calibrate_agents",
    "compare_with_plan",
    "estimate",
    "fit_day",
    "mean_absolute_errors",
    "parse_scenario",
    "plan_scenario",
    "run_scenario",
    "scenario_to_records",
    "simulate",
    "simulate_by_hour",
    "single_queue",
    "waited_share_by_hour",
]
