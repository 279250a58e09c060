"""Queueing math for staffing: Erlang B, Erlang C, Erlang A, and the fewest agents for a target.

Pure and vectorised: every array function takes numpy arrays (one element per interval) and
stays exact and finite up to 10,000 agents and 9,000 Erlangs. ``evaluate`` and
``required_agents`` are the one-interval service functions the CLI, API and pages call.
"""

from callops.queueing.erlang_a import erlang_a, log_kummer
from callops.queueing.erlang_b import erlang_b, log_erlang_b
from callops.queueing.erlang_c import erlang_c
from callops.queueing.metrics import QueueArrays, offered_load
from callops.queueing.service import (
    QueueMetrics,
    StaffingArrays,
    StaffingRequirement,
    evaluate,
    required_agents,
    staff_intervals,
)
from callops.queueing.staffing import ServiceTargets, check_recovery, effective_aht, minimum_agents, scheduled_agents

__all__ = [
    "QueueArrays",
    "QueueMetrics",
    "ServiceTargets",
    "StaffingArrays",
    "StaffingRequirement",
    "check_recovery",
    "effective_aht",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "evaluate",
    "log_erlang_b",
    "log_kummer",
    "minimum_agents",
    "offered_load",
    "required_agents",
    "scheduled_agents",
    "staff_intervals",
]
