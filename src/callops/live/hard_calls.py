"""Hard-call streaks on the live floor (seeds 001, 003, 004): N distressing calls within M minutes alert the lead.

A call is *distressing* (a hard call) when, as in ``callops.people.load``, the agent marks it so: live,
that is either

- the call's end event carrying ``issue_category`` ``complaint`` or ``abusive`` (or ``distressing=1``), as a
  desk or a PBX integration that knows the category sends it, or
- the agent going into the ``recovery`` state after the call (seed 003: one to two minutes of recovery after
  a distressing call) -- the button on ``/live/agent``.

Each call counts once, whichever of the two said so (both, or recovery pressed twice, is still one call).
``HardCallLog`` keeps per agent the end times of their hard calls for ``KEEP_MINUTES``; ``streak`` counts
those within the last ``minutes``. Pure: times are given, nothing reads a clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["HARD_CATEGORIES", "KEEP_MINUTES", "HardCallLog", "is_hard_call_end", "streak_count"]

HARD_CATEGORIES = frozenset({"complaint", "abusive"})
KEEP_MINUTES = 8 * 60  # the longest window a threshold may ask for
_TRUE = frozenset({"1", "true", "yes"})


def is_hard_call_end(data: Mapping[str, str]) -> bool:
    """Whether a call-end event's data marks the call as distressing."""
    category = (data.get("issue_category") or data.get("category") or "").strip().lower()
    return category in HARD_CATEGORIES or (data.get("distressing") or "").strip().lower() in _TRUE


@dataclass(slots=True)
class _AgentCalls:
    hard_ms: deque[int] = field(default_factory=deque)  # end times of hard calls, oldest first
    last_call: str | None = None  # the key of the agent's last ended call
    last_end_ms: int = 0
    last_counted: bool = False  # whether that call is already among hard_ms


@dataclass(slots=True)
class HardCallLog:
    """Per agent: the end times of their hard calls in the last ``KEEP_MINUTES``."""

    agents: dict[str, _AgentCalls] = field(default_factory=dict)

    def _agent(self, agent: str) -> _AgentCalls:
        found = self.agents.get(agent)
        if found is None:
            found = self.agents[agent] = _AgentCalls()
        return found

    def _count(self, calls: _AgentCalls, at_ms: int) -> None:
        calls.hard_ms.append(at_ms)
        calls.last_counted = True
        while calls.hard_ms and calls.hard_ms[0] < at_ms - KEEP_MINUTES * 60_000:
            calls.hard_ms.popleft()

    def call_ended(self, agent: str, call: str, at_ms: int, *, hard: bool) -> None:
        """The agent's call ``call`` ended at ``at_ms``; ``hard`` when its event marked it distressing."""
        calls = self._agent(agent)
        if calls.last_call == call and calls.last_counted:
            return  # the same call reported twice (ended after transferred)
        calls.last_call, calls.last_end_ms, calls.last_counted = call, at_ms, False
        if hard:
            self._count(calls, at_ms)

    def recovery(self, agent: str) -> None:
        """The agent went into recovery: their last call was a hard one (counted once, at its end)."""
        calls = self.agents.get(agent)
        if calls is None or calls.last_call is None or calls.last_counted:
            return
        self._count(calls, calls.last_end_ms)

    def streak(self, agent: str, now_ms: int, minutes: float) -> int:
        """Hard calls of ``agent`` that ended in the last ``minutes`` up to ``now_ms``."""
        calls = self.agents.get(agent)
        return 0 if calls is None else streak_count(calls.hard_ms, now_ms, minutes)

    def counts(self, now_ms: int, minutes: float) -> dict[str, int]:
        """Per agent with any, the hard calls in the last ``minutes``."""
        out = {}
        for agent, calls in self.agents.items():
            n = streak_count(calls.hard_ms, now_ms, minutes)
            if n:
                out[agent] = n
        return out


def streak_count(ends_ms: deque[int] | list[int], now_ms: int, minutes: float) -> int:
    """How many of ``ends_ms`` fall in ``(now - minutes, now]``."""
    start = now_ms - minutes * 60_000
    return sum(1 for at in ends_ms if start < at <= now_ms)
