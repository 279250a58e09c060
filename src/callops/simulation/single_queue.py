"""The single-queue scenario of ``callops simulate --calls ...``: stationary arrivals, exponential times."""

from __future__ import annotations

from callops.errors import InvalidInput
from callops.routing import QueueConfig
from callops.simulation.distributions import Distribution
from callops.simulation.scenario import AgentGroup, QueueBehaviour, Scenario

__all__ = ["single_queue"]


def single_queue(
    *, calls: float, interval_s: float, aht_s: float, agents: int, hours: float,
    patience_s: float | None = None, sl_time_s: float = 20.0,
) -> Scenario:
    """M/M/N (+M with ``patience_s``) with ``calls`` per interval; the first interval is a warm-up."""
    if agents < 1 or aht_s <= 0 or interval_s <= 0 or hours <= 0 or calls < 0:
        raise InvalidInput("calls, interval, aht, agents and hours must be positive")
    intervals = max(1, round(hours * 3600 / interval_s))
    queue = QueueBehaviour(
        config=QueueConfig("queue", "queue"), arrivals_per_interval=(float(calls),) * (intervals + 1),
        handle=Distribution("exponential", aht_s),
        patience=Distribution("exponential", patience_s) if patience_s is not None else None)
    group = AgentGroup("agent", {"queue": 1}, (agents,) * (intervals + 1))
    return Scenario(name="single-queue", interval_s=interval_s, intervals=intervals + 1, queues=(queue,),
                    groups=(group,), sl_time_s=sl_time_s, warmup_s=interval_s)
