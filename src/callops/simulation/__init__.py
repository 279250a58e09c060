"""The discrete-event simulator: drives the routing core on a virtual clock, with replications and CIs."""

from callops.simulation.distributions import Distribution, Stream
from callops.simulation.engine import RunStats, simulate
from callops.simulation.replay import HourlyActual, actual_by_hour, fit_day
from callops.simulation.replications import METRICS, Estimate, Result, estimate, run_scenario, scenario_to_records
from callops.simulation.scenario import AgentGroup, QueueBehaviour, Scenario, parse_scenario
from callops.simulation.single_queue import single_queue

__all__ = [
    "METRICS",
    "AgentGroup",
    "Distribution",
    "Estimate",
    "HourlyActual",
    "QueueBehaviour",
    "Result",
    "RunStats",
    "Scenario",
    "Stream",
    "actual_by_hour",
    "estimate",
    "fit_day",
    "parse_scenario",
    "run_scenario",
    "scenario_to_records",
    "simulate",
    "single_queue",
]
