"""What one replication counts: per queue, per interval and in total; and the Call records it can keep."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from callops.records import AgentInterval, Call, Direction, Outcome
from callops.routing import LiveCall
from callops.simulation.outbound import OutboundStats

__all__ = ["QueueStats", "RunStats", "call_record"]


@dataclass(slots=True)
class QueueStats:
    """Counts of one queue (the queue a call arrived to, wherever it was answered) in one replication."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timeout: int = 0
    waited: int = 0
    answered_within: int = 0
    answered_wait_s: float = 0.0


@dataclass(slots=True)
class RunStats:
    """Counts of one replication, over calls that arrived after the warm-up.

    ``timeout`` counts calls the system took out of the queue (capacity, maximum wait), ``callback`` answered
    calls whose caller had taken a callback (virtual hold), ``ivr_self_service``/``ivr_hangup`` callers who
    ended in the IVR without reaching a queue (not offered to any queue).
    """

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timeout: int = 0
    callback: int = 0
    ivr_self_service: int = 0
    ivr_hangup: int = 0
    waited: int = 0
    answered_within: int = 0
    answered_wait_s: float = 0.0
    handling_s: float = 0.0
    ready_s: float = 0.0
    by_interval: dict[str, list[float]] = field(default_factory=dict)
    by_queue: dict[str, QueueStats] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    intervals: list[AgentInterval] = field(default_factory=list)
    outbound: OutboundStats | None = None  # the scenario's outbound campaign, if it has one

    def add_up_queues(self) -> None:
        """The run's totals are the queues' sums."""
        for counts in self.by_queue.values():
            self.offered += counts.offered
            self.answered += counts.answered
            self.abandoned += counts.abandoned
            self.timeout += counts.timeout
            self.waited += counts.waited
            self.answered_within += counts.answered_within


def call_record(call: LiveCall, scenario: str, source: str, start_at: dt.datetime) -> Call:
    """The canonical record of a simulated call that reached a queue."""
    def at(t: float | None) -> dt.datetime | None:
        return None if t is None else start_at + dt.timedelta(seconds=t)

    outcome = call.outcome or Outcome.TIMEOUT
    return Call(
        source=source, source_call_id=f"{scenario}-{call.call_id}", direction=Direction.INBOUND,
        outcome=outcome, queue=call.queue, priority=call.priority, ivr_entered_at=at(call.ivr_entered_at),
        ivr_exited_at=at(call.queued_at) if call.ivr_entered_at is not None else None,
        queue_entered_at=at(call.queued_at),
        answered_at=at(call.answered_at), ended_at=at(call.ended_at),
        agent=call.agent.agent_id if call.agent is not None and call.answered_at is not None else None,
        talk_s=call.talk_s, acw_s=call.acw_s, scenario=scenario)
