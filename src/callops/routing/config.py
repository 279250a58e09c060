"""Static configuration of the routing core: queues, agents and the routing strategy."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["AgentConfig", "QueueConfig", "Strategy"]


class Strategy(StrEnum):
    """How an arriving call picks among idle eligible agents."""

    LONGEST_IDLE = "longest_idle"
    FEWEST_CALLS = "fewest_calls"
    ROUND_ROBIN = "round_robin"
    HIGHEST_SKILL = "highest_skill"
    RANDOM = "random"
    RING_ALL = "ring_all"  # ring every idle eligible agent at once; the first to pick up takes the call


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """One queue: the skill it needs, its priority and its limits (``None`` means unlimited)."""

    name: str
    skill: str
    priority: int = 0
    capacity: int | None = None
    max_wait_s: float | None = None
    overflow_after_s: float | None = None
    overflow_to: str | None = None


@dataclass(frozen=True, slots=True)
class AgentConfig:
    """One agent and the skills they hold, skill -> level (1 lowest)."""

    agent_id: str
    skills: dict[str, int] = field(default_factory=dict)
